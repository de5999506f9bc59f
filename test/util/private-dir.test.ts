// ensurePrivateDir: made 0700, an open one of ours fixed, another user's or a symlink refused.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import { ensurePrivateDir } from '../../src/util/private-dir.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'private-dir-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));
const mode = (dir: string) => fs.statSync(dir).mode & 0o7777;

test('a new directory (and its parents) is made 0700', () => {
  const dir = path.join(tmp, 'a/b');
  ensurePrivateDir(dir);
  expect(mode(dir)).toBe(0o700);
});

test('an existing 0777 directory of ours is fixed to 0700', () => {
  const dir = path.join(tmp, 'open');
  fs.mkdirSync(dir);
  fs.chmodSync(dir, 0o777);
  ensurePrivateDir(dir);
  expect(mode(dir)).toBe(0o700);
});

test("another user's directory is refused and left as it was", () => {
  const dir = path.join(tmp, 'theirs');
  fs.mkdirSync(dir, { mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  const me = process.getuid!();
  // as root the directory can really belong to someone else; otherwise pretend to be someone else
  if (me === 0) fs.chownSync(dir, 4242, 4242);
  expect(() => ensurePrivateDir(dir, me === 0 ? 0 : me + 1)).toThrow(/belongs to uid \d+, not to you/);
  expect(mode(dir)).toBe(0o777);
});

test('a symlink or a file is refused', () => {
  fs.mkdirSync(path.join(tmp, 'real'));
  fs.symlinkSync(path.join(tmp, 'real'), path.join(tmp, 'link'));
  expect(() => ensurePrivateDir(path.join(tmp, 'link'))).toThrow(/symbolic link/);
  fs.writeFileSync(path.join(tmp, 'file'), '');
  expect(() => ensurePrivateDir(path.join(tmp, 'file'))).toThrow();
});
