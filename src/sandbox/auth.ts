// The server's API key: read from a file or made fresh, and compared in constant time. The key never
// reaches argv, the log or an error message.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';

// A fresh random key (256 bits, URL-safe).
export const freshKey = (): string => crypto.randomBytes(32).toString('base64url');

// Reads the key from FILE; a missing FILE is created (0600) holding a fresh key, so the caller can
// hand that file to its clients. A key file that another user owns or can read is refused: the key
// may already be known. Returns the key and whether it was made here.
export function loadKeyFile(file: string): { key: string; created: boolean } {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) {
    const key = freshKey();
    try {
      writeFileAtomic(file, `${key}\n`, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CliError(
        `cannot write the API key file ${file} (${code})`,
        2,
        'make its directory first, or give another --api-key-file',
      );
    }
    return { key, created: true };
  }
  if (!st.isFile())
    throw new CliError(`the API key file ${file} is not a regular file`, 2, 'give a file holding the key');
  if (st.uid !== process.getuid?.())
    throw new CliError(
      `the API key file ${file} belongs to another user (uid ${st.uid})`,
      2,
      'use a key file of your own',
    );
  if (st.mode & 0o077)
    throw new CliError(
      `the API key file ${file} can be read or written by other users`,
      2,
      `chmod 600 ${file}, and make a fresh key if others may have read it`,
    );
  const key = fs.readFileSync(file, 'utf8').trim();
  if (key.length < 16 || /\s/.test(key)) {
    throw new CliError(
      `the API key in ${file} is unusable: it must be one line of at least 16 characters without spaces`,
      2,
      `delete ${file} to have a fresh key written there, or put e.g. \`openssl rand -hex 32\` in it`,
    );
  }
  return { key, created: false };
}

const digest = (value: string): Buffer => crypto.createHash('sha256').update(value).digest();

// Constant-time comparison: hashing first makes both sides the same length, so neither the content
// nor the length of the key leaks through timing.
export function keyMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  return crypto.timingSafeEqual(digest(given), digest(expected));
}
