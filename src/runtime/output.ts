// Writes straight to fds 1 and 2: creating process.stdout/stderr streams costs ~3 ms of every start.
import fs from 'node:fs';

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  for (let done = 0; done < data.length; ) {
    try {
      done += fs.writeSync(fd, data, done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

// Prints TEXT on stdout.
export const stdout = (text: string): void => writeAll(1, text);

// Prints TEXT on stderr.
export const stderr = (text: string): void => writeAll(2, text);
