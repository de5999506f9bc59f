// File writes that never leave a half-written or over-permissive file: per-user directories are
// 0700, key files 0600, and every write goes to a temporary name first, then is renamed into place.
import fs from 'node:fs';
import path from 'node:path';

// Creates DIR (and parents) and makes DIR itself 0700, whatever the umask.
export function mkdirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

// Writes FILE atomically with MODE (the mode is set before any byte is written).
export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { mode, flag: 'wx' });
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, file);
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
