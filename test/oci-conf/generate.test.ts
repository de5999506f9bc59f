// `generate oci-conf` / `generate site`: options from flags and files, and bad input that is a
// clear error and writes nothing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { generateOciConfCommand, generateSiteCommand } from '../../src/oci-conf/emit.js';
import { parseOciConf } from '../../src/oci-conf/parse.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gen-'));
  jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  jest.restoreAllMocks();
});

describe('generate oci-conf -o', () => {
  test('writes the file and its helper scripts beside it, executable', () => {
    const out = path.join(dir, 'oci.conf');
    generateOciConfCommand({ preset: 'enroot', output: out });
    expect(parseOciConf(fs.readFileSync(out, 'utf8')).RunTimeRun).toBe('/usr/local/bin/enroot-start-wrapper %b %m %e -- %@');
    expect(fs.statSync(path.join(dir, 'enroot-start-wrapper')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(out).mode & 0o777).toBe(0o644);
  });
  test('an existing file or helper is replaced only with --force; without it nothing is written', () => {
    const out = path.join(dir, 'oci.conf');
    fs.writeFileSync(path.join(dir, 'enroot-start-wrapper'), 'hand-tuned');
    expect(() => generateOciConfCommand({ preset: 'enroot', output: out })).toThrow(/enroot-start-wrapper already exists; nothing was written/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'enroot-start-wrapper'), 'utf8')).toBe('hand-tuned');
    generateOciConfCommand({ preset: 'enroot', output: out, force: true });
    expect(fs.readFileSync(path.join(dir, 'enroot-start-wrapper'), 'utf8')).not.toBe('hand-tuned');
  });
  test('--from YAML, with flags and --set over it', () => {
    const from = path.join(dir, 'o.yaml');
    fs.writeFileSync(from, 'preset: crun-run\nslurmVersion: "24.11"\nset:\n  DisableCleanup: true\n');
    const out = path.join(dir, 'oci.conf');
    generateOciConfCommand({ from, runtimeArg: ['--cgroup-manager=disabled'], set: ['SrunArgs=--mpi=none', 'SrunArgs=--overlap', 'RunTimeQuery='], output: out });
    const conf = parseOciConf(fs.readFileSync(out, 'utf8'));
    expect(conf).toMatchObject({ DisableCleanup: true, SrunArgs: ['--mpi=none', '--overlap'] });
    expect(conf.RunTimeQuery).toBeUndefined();
    expect(conf.RunTimeRun).toContain('--cgroup-manager=disabled');
  });
  test.each([
    [{ preset: 'podman-magic' }, /preset: must be equal to one of the allowed values/],
    [{ preset: 'crun-run', set: ['NoSuchKey=1'] }, /unknown oci.conf key NoSuchKey/],
    [{ preset: 'crun-run', set: ['RunTimeRun=echo "hi"'] }, /cannot contain a double quote/],
    [{ preset: 'crun-run', set: ['RunTimeRun=date +%s %q'] }, /unknown pattern `%q`/],
    [{ preset: 'crun-run', set: ['DisableCleanup=perhaps'] }, /not a boolean/],
    [{ preset: 'crun-run', set: ['RunTimeKill='] }, /would be rejected by Slurm.*run mode needs RunTimeKill/s],
    [{ preset: 'enroot', slurmVersion: '22.05' }, /needs Slurm 23.02 or later/],
    [{}, /no preset given/],
  ])('bad input %j is an error and writes nothing', (flags, message) => {
    const out = path.join(dir, 'oci.conf');
    expect(() => generateOciConfCommand({ ...(flags as object), output: out })).toThrow(message);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('generate site', () => {
  test('writes oci.conf, helpers and a README that says where each goes', () => {
    const out = path.join(dir, 'kit');
    generateSiteCommand({ preset: 'multi-runtime', out });
    expect(fs.readdirSync(out).sort()).toEqual(['README.md', 'oci.conf', 'run', 'slurm-oci-run-default', 'slurm-oci-run.user-example']);
    const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(readme).toContain('| `run` | `/opt/slurm-oci/run` | 0755 |');
    expect(readme).toContain('scontrol reconfigure');
  });
  test('refuses a non-empty directory', () => {
    fs.writeFileSync(path.join(dir, 'x'), '');
    expect(() => generateSiteCommand({ preset: 'crun-run', out: dir })).toThrow(/not empty/);
  });
});

test('the options schema names exactly the presets the code has', async () => {
  const schema = JSON.parse(fs.readFileSync('schemas/oci-conf-options.schema.json', 'utf8'));
  const { PRESET_NAMES } = await import('../../src/oci-conf/presets.js');
  expect([...schema.properties.preset.enum].sort()).toEqual([...PRESET_NAMES].sort());
});
