// Atomic writes keep their mode whatever the umask.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { writeFileAtomic } from '../../src/util/files.js';

test('writeFileAtomic keeps 0600 under a permissive umask and leaves no temporary file', () => {
  const old = process.umask(0);
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-'));
    const key = path.join(dir, 'key');
    writeFileAtomic(key, 'secret', 0o600);
    writeFileAtomic(key, 'secret2', 0o600);
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(key, 'utf8')).toBe('secret2');
    expect(fs.readdirSync(dir)).toEqual(['key']);
  } finally {
    process.umask(old);
  }
});
