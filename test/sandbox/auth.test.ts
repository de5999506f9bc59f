// The API key: constant-time comparison that accepts only the exact key, and key files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { keyMatches, loadKeyFile } from '../../src/sandbox/auth.js';
import { CliError } from '../../src/errors.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'auth-'));

test('keyMatches accepts only the exact key, whatever the lengths', () => {
  const key = 'k'.repeat(43);
  expect(keyMatches(key, key)).toBe(true);
  expect(keyMatches(`${key}x`, key)).toBe(false);
  expect(keyMatches(key.slice(1), key)).toBe(false);
  expect(keyMatches('', key)).toBe(false);
  expect(keyMatches(undefined, key)).toBe(false);
  expect(keyMatches([key, key], key)).toBe(false);
});

test('a missing key file is created 0600 with a fresh key; an existing one is read trimmed', () => {
  const file = path.join(tmp(), 'key');
  const made = loadKeyFile(file);
  expect(made.created).toBe(true);
  expect(made.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(loadKeyFile(file)).toEqual({ key: made.key, created: false });
  expect(loadKeyFile(file).key).not.toBe(loadKeyFile(path.join(tmp(), 'other')).key);
});

test('a key file with a short or spaced key is refused without echoing the key', () => {
  const file = path.join(tmp(), 'key');
  for (const content of ['short\n', 'two words that are long enough\n']) {
    fs.writeFileSync(file, content, { mode: 0o600 });
    try {
      loadKeyFile(file);
      throw new Error('loadKeyFile accepted a bad key');
    } catch (error) {
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).message).not.toContain(content.trim());
      expect((error as CliError).exitCode).toBe(2);
    }
  }
});

test('a key file others can read, a directory, or a missing directory is refused with the fix', () => {
  const dir = tmp();
  const file = path.join(dir, 'key');
  fs.writeFileSync(file, `${'k'.repeat(40)}\n`, { mode: 0o644 });
  fs.chmodSync(file, 0o644);
  expect(() => loadKeyFile(file)).toThrow(/can be read or written by other users/);
  expect(() => loadKeyFile(dir)).toThrow(/is not a regular file/);
  expect(() => loadKeyFile(path.join(dir, 'no/such/dir/key'))).toThrow(/cannot write the API key file .* \(ENOENT\)/);
});
