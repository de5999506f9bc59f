// `generate scrun-lua` flags to a file: defaults from the schema, skipped steps left out, mode 0644.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { writeScrunLua } from '../../src/scrun-lua/write.js';

test('writes scrun.lua 0644 with the flags applied', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'scrun-lua-')), 'scrun.lua');
  const old = process.umask(0o077);
  try {
    writeScrunLua({ staging: 'none', copyTool: 'cp', scratchDir: '/tmp/s-%U', stageOut: [], skip: ['dropRlimits'], output: file });
  } finally {
    process.umask(old);
  }
  const text = fs.readFileSync(file, 'utf8');
  expect(fs.statSync(file).mode & 0o777).toBe(0o644);
  expect(text).toContain('local STAGING = "none"');
  expect(text).toContain('local SCRATCH_DIR = "/tmp/s-%U"');
  expect(text).not.toMatch(/^-- dropRlimits:/m);
  expect(text).toMatch(/^-- dropPrestartHooks:/m);
});
