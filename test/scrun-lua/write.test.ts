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
    writeScrunLua({
      staging: 'none',
      copyTool: 'cp',
      scratchDir: '/tmp/s-%U',
      stageOut: [],
      skip: ['dropRlimits'],
      output: file,
    });
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

test("--slurm-version 26.05 writes a script on Slurm's own JSON functions; 24.11 bundles the codec", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scrun-lua-'));
  const flags = { staging: 'copy', copyTool: 'cp', scratchDir: '/tmp/s-%U', stageOut: [], skip: [] };
  writeScrunLua({ ...flags, slurmVersion: '26.05', output: path.join(dir, 'new.lua') });
  writeScrunLua({ ...flags, slurmVersion: '24.11', output: path.join(dir, 'old.lua') });
  expect(fs.readFileSync(path.join(dir, 'new.lua'), 'utf8')).not.toContain('local json = ');
  expect(fs.readFileSync(path.join(dir, 'old.lua'), 'utf8')).toContain('local json = ');
});
