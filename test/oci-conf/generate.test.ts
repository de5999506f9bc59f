// `generate oci-conf` / `generate site`: options from flags and files, and bad input that is a
// clear error and writes nothing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { generateOciConfCommand, generateSiteCommand } from '../../src/oci-conf/emit.js';
import { parseOciConf } from '../../src/oci-conf/parse.js';
import { generate } from '../../src/oci-conf/generate.js';
import { expandPatterns } from '../../src/oci-conf/patterns.js';
import { CliError } from '../../src/errors.js';
import fc from 'fast-check';

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
    expect(parseOciConf(fs.readFileSync(out, 'utf8')).RunTimeRun).toBe(
      '/usr/local/bin/enroot-start-wrapper %b %m %e -- %@',
    );
    expect(fs.statSync(path.join(dir, 'enroot-start-wrapper')).mode & 0o777).toBe(0o755);
    expect(fs.statSync(out).mode & 0o777).toBe(0o644);
  });
  test('an existing file or helper is replaced only with --force; without it nothing is written', () => {
    const out = path.join(dir, 'oci.conf');
    fs.writeFileSync(path.join(dir, 'enroot-start-wrapper'), 'hand-tuned');
    expect(() => generateOciConfCommand({ preset: 'enroot', output: out })).toThrow(
      /enroot-start-wrapper already exists; nothing was written/,
    );
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'enroot-start-wrapper'), 'utf8')).toBe('hand-tuned');
    generateOciConfCommand({ preset: 'enroot', output: out, force: true });
    expect(fs.readFileSync(path.join(dir, 'enroot-start-wrapper'), 'utf8')).not.toBe('hand-tuned');
  });
  test('--from YAML, with flags and --set over it', () => {
    const from = path.join(dir, 'o.yaml');
    fs.writeFileSync(from, 'preset: crun-run\nslurmVersion: "24.11"\nset:\n  DisableCleanup: true\n');
    const out = path.join(dir, 'oci.conf');
    generateOciConfCommand({
      from,
      runtimeArg: ['--cgroup-manager=disabled'],
      set: ['SrunArgs=--mpi=none', 'SrunArgs=--overlap', 'RunTimeQuery='],
      output: out,
    });
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
    expect(fs.readdirSync(out).sort()).toEqual([
      'README.md',
      'oci.conf',
      'run',
      'slurm-oci-run-default',
      'slurm-oci-run.user-example',
    ]);
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

describe('values that reach the shell', () => {
  // Everything but `"` (which oci.conf cannot carry: refused) and `%` (a Slurm pattern, by design).
  const hostile = fc.string({
    unit: fc.constantFrom(...`'\\$\`;&|(){}[]<>*?!#~ é0aZ/.=-`.split('')),
    minLength: 1,
    maxLength: 20,
  });

  test('property: --runtime, --root and --runtime-arg reach the runtime as exactly those words through a real sh', () => {
    const recorder = path.join(dir, `it's $(touch ${dir}/owned)`, 'rec');
    fs.mkdirSync(path.dirname(recorder), { recursive: true });
    fs.writeFileSync(recorder, `#!/bin/sh\nprintf '%s\\0' "$@"\n`, { mode: 0o755 });
    fc.assert(
      fc.property(hostile, fc.array(hostile, { maxLength: 3 }), (root, args) => {
        const { text } = generate({ preset: 'crun-create', runtime: recorder, root: `/r/${root}`, runtimeArgs: args });
        const ctx = {
          bundle: '/b',
          spoolDir: '/s',
          envFile: '/e',
          jobId: 1,
          stepId: 0,
          node: 'n',
          user: 'u',
          uid: 1,
          rootfs: '/b/r',
          workDir: '/w',
          task: null,
        };
        const command = expandPatterns(parseOciConf(text).RunTimeStart as string, ctx);
        const out = execFileSync('/bin/sh', ['-c', command]).toString('utf8').split('\0').slice(0, -1);
        expect(out).toEqual(['--rootless=true', `--root=/r/${root}`, ...args, 'start', 'n.u.1.0']);
        expect(fs.existsSync(path.join(dir, 'owned'))).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  test('a double quote is refused, and a container id may only be a plain name with patterns', () => {
    expect(() => generate({ preset: 'crun-run', runtime: 'a"b' })).toThrow(/cannot contain a double quote/);
    expect(() => generate({ preset: 'crun-run', containerId: 'x;touch /tmp/P;y' })).toThrow(CliError);
    expect(() => generate({ preset: 'crun-run', containerId: '$(id)' })).toThrow(/containerId/);
    expect(generate({ preset: 'crun-run', containerId: 'job-%j.%s_x' }).text).toContain('job-%j.%s_x.%t');
  });
});

test('from Slurm 25.05 the file says where the spool dir is mounted (the new MountSpoolDir default)', () => {
  expect(generate({ preset: 'crun-run', slurmVersion: '25.05' }).text).toMatch(
    /# .*MountSpoolDir default since 25\.05/,
  );
  expect(generate({ preset: 'crun-run', slurmVersion: '24.11' }).text).not.toContain('MountSpoolDir');
  expect(
    generate({ preset: 'crun-run', slurmVersion: '26.05', set: { MountSpoolDir: '/var/run/slurm/' } }).text,
  ).not.toContain('MountSpoolDir default');
});
