// Where a generator's text goes: stdout, or a file replaced atomically. An existing file is only
// replaced with --force, so a stray -o never clobbers a site's hand-tuned config.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from './files.js';

// Checks that FILE may be written (it is new, or FORCE is set, and it is not a directory); throws otherwise.
export function assertWritable(file: string, force: boolean): void {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (st?.isDirectory())
    throw new CliError(`${file} is a directory; nothing was written`, 1, 'give the name of the file to write');
  if (st && !force) {
    throw new CliError(
      `${file} already exists; nothing was written`,
      1,
      'add --force to replace it, or leave out -o to print to stdout',
    );
  }
}

// Prints TEXT, or writes it to FILE (see assertWritable; missing parent directories are made) in one atomic step.
export function writeOutput(text: string, file: string | undefined, force: boolean): void {
  if (!file) {
    process.stdout.write(text);
    return;
  }
  assertWritable(file, force);
  // a fresh account has no ~/.config/containers yet
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileAtomic(file, text);
}
