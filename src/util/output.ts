// Where a generator's text goes: stdout, or a file replaced atomically. An existing file is only
// replaced with --force, so a stray -o never clobbers a site's hand-tuned config.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from './files.js';

// Checks that FILE may be written (its directory exists; it is new, or FORCE is set); throws otherwise.
export function assertWritable(file: string, force: boolean): void {
  if (!fs.existsSync(path.dirname(path.resolve(file)))) {
    throw new CliError(`cannot write ${file}: its directory does not exist`, 1, `create ${path.dirname(file)} first`);
  }
  if (fs.existsSync(file) && !force) {
    throw new CliError(`${file} already exists; nothing was written`, 1, 'add --force to replace it, or leave out -o to print to stdout');
  }
}

// Prints TEXT, or writes it to FILE (see assertWritable) in one atomic step.
export function writeOutput(text: string, file: string | undefined, force: boolean): void {
  if (!file) {
    process.stdout.write(text);
    return;
  }
  assertWritable(file, force);
  writeFileAtomic(file, text);
}
