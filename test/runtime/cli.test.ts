// The built program as Podman and runc's users run it, on input that needs no backend: bad input
// gets one line, runc's exit code, a JSON log line, and leaves no state behind.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, expect, test } from '@jest/globals';
import * as oci from '../../src/generated/oci-validators.cjs';

const bin = path.resolve('bin/slurm-oci-runtime');
let tmp: string;
let xdg: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-cli-'));
  xdg = path.join(tmp, 'xdg');
  fs.mkdirSync(xdg);
});
const rt = (...args: string[]) => {
  const r = spawnSync(bin, args, { encoding: 'utf8', cwd: tmp, env: { XDG_RUNTIME_DIR: xdg, PATH: process.env.PATH } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

test('--version prints runc-style lines', () => {
  expect(rt('--version')).toEqual({ code: 0, stdout: 'slurm-oci-runtime version 0.1.0\nspec: 1.3.0\n', stderr: '' });
  expect(rt('-v').stdout).toMatch(/^slurm-oci-runtime version /);
});

test('unknown command exits 3, unknown container and unknown flag exit 1, each one line', () => {
  expect(rt('frobnicate')).toMatchObject({
    code: 3,
    stderr: expect.stringMatching(/^slurm-oci-runtime: unknown command "frobnicate".*\n$/),
  });
  expect(rt('state', 'nope')).toEqual({
    code: 1,
    stdout: '',
    stderr: 'slurm-oci-runtime: container nope does not exist\n',
  });
  expect(rt('kill', 'nope', 'NOSIG')).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/invalid signal "NOSIG"/),
  });
  expect(rt('create', '--bogus', 'x')).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/flag provided but not defined: -bogus/),
  });
  expect(rt('delete', '--force', 'nope')).toEqual({ code: 0, stdout: '', stderr: '' });
});

test('bad bundles are refused before any backend runs, with the JSON path and rule', () => {
  const bundle = path.join(tmp, 'b');
  fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
  const log = path.join(tmp, 'log.json');

  expect(rt('create', '-b', path.join(tmp, 'missing'), 'c1').stderr).toMatch(
    /cannot read .*missing\/config\.json: no such file/,
  );
  fs.writeFileSync(path.join(bundle, 'config.json'), '{"ociVersion": ');
  const invalid = rt('--log', log, '--log-format', 'json', 'create', '-b', bundle, 'c1');
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toMatch(/config\.json is not a JSON object/);
  expect(JSON.parse(fs.readFileSync(log, 'utf8'))).toMatchObject({
    level: 'error',
    msg: expect.stringMatching(/not a JSON object/),
  });

  fs.writeFileSync(
    path.join(bundle, 'config.json'),
    JSON.stringify({ ociVersion: '1.0.2', root: { path: 'rootfs' }, process: { cwd: 7, args: ['sh'] } }),
  );
  expect(rt('create', '-b', bundle, 'c1').stderr).toMatch(/\/process\/cwd: must be string/);
  expect(fs.existsSync(path.join(xdg, 'slurm-oci', 'containers', 'c1'))).toBe(false);
});

test('spec writes a config that the runtime-spec schema accepts; --rootless maps our uid', () => {
  expect(rt('spec', '--rootless').code).toBe(0);
  const spec = JSON.parse(fs.readFileSync(path.join(tmp, 'config.json'), 'utf8'));
  expect(oci.config(spec)).toBe(true);
  expect(spec.linux.uidMappings).toEqual([{ containerID: 0, hostID: process.getuid!(), size: 1 }]);
  expect(spec.linux.namespaces.map((n: { type: string }) => n.type)).toContain('user');
  expect(rt('spec')).toMatchObject({ code: 1, stderr: expect.stringMatching(/exists\. Remove it first/) });
});

test('features is valid against the runtime-spec features schema', () => {
  const r = rt('features');
  expect(r.code).toBe(0);
  expect(oci.features(JSON.parse(r.stdout))).toBe(true);
});

test('a config with 80,000 bad mounts: the first errors and a count, in linear time (it took minutes)', () => {
  const bundle = path.join(tmp, 'b');
  fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
  const mounts = Array.from({ length: 80_000 }, () => ({ destination: 7 }));
  fs.writeFileSync(
    path.join(bundle, 'config.json'),
    JSON.stringify({ ociVersion: '1.0.2', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] }, mounts }),
  );
  const r = rt('create', '-b', bundle, 'c1');
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines[1]).toBe('  /mounts/0/destination: must be string');
  expect(lines.at(-1)).toBe('  … and 79980 more');
  expect(lines.length).toBeLessThan(25);
}, 20_000);

test('ids that would reach crun as options, or cannot be a file name, get one line', () => {
  expect(rt('state', '--', '-rf')).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/^slurm-oci-runtime: invalid container id "-rf".*may not start with -\n$/),
  });
  const long = 'a'.repeat(300);
  expect(rt('create', long)).toEqual({
    code: 1,
    stdout: '',
    stderr: 'slurm-oci-runtime: container id is too long (300 bytes, at most 255)\n',
  });
});

test('a state directory others can write is refused, and nothing in it is run', () => {
  const root = path.join(tmp, 'shared');
  const marker = path.join(tmp, 'ran');
  fs.mkdirSync(path.join(root, 'containers', 'c1'), { recursive: true });
  fs.chmodSync(root, 0o777);
  // a record another user could have planted: its "backend" would run as whoever reads it
  fs.writeFileSync(path.join(tmp, 'evil'), `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
  const record = {
    id: 'c1',
    backend: 'crun',
    binary: path.join(tmp, 'evil'),
    backendRoot: root,
    bundle: '/b',
    rootfs: '/b/rootfs',
    ociVersion: '1.0.2',
    annotations: {},
    created: '',
  };
  fs.writeFileSync(path.join(root, 'containers', 'c1', 'record.json'), JSON.stringify(record));
  for (const args of [['state', 'c1'], ['kill', 'c1'], ['delete', '--force', 'c1'], ['list']]) {
    expect(rt('--root', root, ...args)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /^slurm-oci-runtime: refusing the state directory: .*shared can be written by other users \(mode 777\)/,
      ),
    });
  }
  // a record others can write, in a root of our own
  fs.chmodSync(root, 0o700);
  fs.chmodSync(path.join(root, 'containers', 'c1', 'record.json'), 0o666);
  expect(rt('--root', root, 'kill', 'c1')).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/refusing the record of container c1: .*record\.json can be written by other users/),
  });
  expect(fs.existsSync(marker)).toBe(false);
});

// Needs root (CI runs as root): a root that belongs to another user.
(process.getuid?.() === 0 ? test : test.skip)("as root, another user's state directory is refused", () => {
  const root = path.join(tmp, 'alices');
  fs.mkdirSync(root, { mode: 0o700 });
  fs.chownSync(root, 65534, 65534);
  expect(rt('--root', root, 'list')).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/belongs to uid 65534, not to us \(uid 0\)/),
  });
});
