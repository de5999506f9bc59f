// Per-user directories that other users must not write into (a coordination directory holds the
// sandbox server's URL and API key): made 0700, or an existing one of ours fixed to 0700; one that
// another user owns, or a symlink, is refused, since its owner could swap the files inside.
import fs from 'node:fs';
import { CliError } from '../errors.js';

// Makes DIR (and missing parents) or checks the existing one, and leaves it 0700 and ours.
export function ensurePrivateDir(dir: string, uid = process.getuid?.() ?? 0): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = fs.lstatSync(dir);
  if (st.isSymbolicLink() || !st.isDirectory()) {
    throw new CliError(
      `${dir} is ${st.isSymbolicLink() ? 'a symbolic link' : 'not a directory'}; it must be a directory of your own`,
      1,
      'remove it, or choose another directory',
    );
  }
  if (st.uid !== uid) {
    throw new CliError(
      `${dir} belongs to uid ${st.uid}, not to you (uid ${uid}): its owner could replace the files in it`,
      1,
      'choose a directory of your own',
    );
  }
  if ((st.mode & 0o7777) !== 0o700) fs.chmodSync(dir, 0o700);
}
