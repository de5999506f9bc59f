// Coordination directories: names, modes, never reused, found by name or path, listed newest first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import {
  createCoordinationDir,
  FILES,
  readJobId,
  listCoordinationDirs,
  logFiles,
  resolveCoordinationDir,
  stamp,
} from '../../src/workflow/coordination.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'coord-'));

test('stamp is YYYYMMDD_HHMMSS in local time', () => {
  expect(stamp(new Date(2026, 0, 2, 3, 4, 5))).toBe('20260102_030405');
});

test('a directory is 0700 whatever the umask, and never created twice', () => {
  const root = path.join(tmp(), 'jobs');
  const old = process.umask(0);
  try {
    const dir = createCoordinationDir(root, '20260102_030405', '7');
    expect(dir).toBe(path.join(root, '20260102_030405_7'));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(root).mode & 0o777).toBe(0o700);
    expect(() => createCoordinationDir(root, '20260102_030405', '7')).toThrow(
      /already exists; a directory is never reused/,
    );
  } finally {
    process.umask(old);
  }
});

test('an existing root that others could write is fixed to 0700 (they could swap runtime_url.txt)', () => {
  const root = tmp();
  fs.chmodSync(root, 0o777);
  createCoordinationDir(root, '20260102_030405', '1');
  expect(fs.statSync(root).mode & 0o777).toBe(0o700);
});

test('job ids read from the directory are checked: an option smuggled into a file is refused', () => {
  const dir = createCoordinationDir(tmp(), '20260102_030405', '7');
  expect(readJobId(dir, FILES.runtimeJob)).toBeUndefined();
  fs.writeFileSync(path.join(dir, FILES.runtimeJob), '42_3\n');
  expect(readJobId(dir, FILES.runtimeJob)).toBe('42_3');
  fs.writeFileSync(path.join(dir, FILES.trainingJob), '--user=bob\n');
  expect(() => readJobId(dir, FILES.trainingJob)).toThrow(/does not hold a job id/);
});

test('list: newest first, job ids compared as numbers, other entries ignored', () => {
  const root = tmp();
  for (const name of [
    '20260101_000000_99',
    '20260102_000000_9',
    '20260102_000000_10',
    'notes',
    '20260103_000000_1.txt',
  ]) {
    fs.mkdirSync(path.join(root, name));
  }
  expect(listCoordinationDirs(root).map((d) => path.basename(d))).toEqual([
    '20260102_000000_10',
    '20260102_000000_9',
    '20260101_000000_99',
  ]);
  expect(listCoordinationDirs(path.join(root, 'missing'))).toEqual([]);
});

test('resolve: a path, a name under the root, or the newest; anything else is a clear error', () => {
  const root = tmp();
  const older = createCoordinationDir(root, '20260101_000000', '1');
  const newer = createCoordinationDir(root, '20260102_000000', '2');
  for (const dir of [older, newer]) fs.writeFileSync(path.join(dir, 'launch.json'), '{}');
  expect(resolveCoordinationDir(root)).toBe(newer);
  expect(resolveCoordinationDir(root, '20260101_000000_1')).toBe(older);
  expect(resolveCoordinationDir('/elsewhere', older)).toBe(older);
  expect(() => resolveCoordinationDir(root, 'nope')).toThrow('nope is not a workflow coordination directory');
  expect(() => resolveCoordinationDir(tmp())).toThrow(/no coordination directories under/);
});

test('log files: runtime and training .out/.err only', () => {
  const dir = tmp();
  for (const f of ['training_5.out', 'runtime_4.err', 'runtime_4.out', 'launch.json', 'runtime_url.txt']) {
    fs.writeFileSync(path.join(dir, f), '');
  }
  expect(logFiles(dir).map((f) => path.basename(f))).toEqual(['runtime_4.err', 'runtime_4.out', 'training_5.out']);
});
