// File writes that never leave a half-written or over-permissive file: the mode (0600 for key
// files) is set before any byte is written, and the file is renamed into place.
import fs from 'node:fs';
import path from 'node:path';

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

// Reads FILE as UTF-8; an error always names FILE (Node leaves the path out of EISDIR on read).
export function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw Object.assign(error as NodeJS.ErrnoException, {
      path: (error as NodeJS.ErrnoException).path ?? file,
      syscall: 'read',
    });
  }
}
