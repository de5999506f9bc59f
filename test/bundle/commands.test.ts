// bundle create (from a directory and a tarball), validate and rootless on real files; `--image`
// needs Podman, which only the testbed has (test/e2e/scrun-lua.test.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execaSync } from 'execa';
import { beforeEach, describe, expect, test } from '@jest/globals';
import { createBundle } from '../../src/bundle/create.js';
import { validateBundle } from '../../src/bundle/validate.js';
import { applyRootless } from '../../src/bundle/apply-rootless.js';
import { resolveRootlessOptions } from '../../src/bundle/rootless-options.js';

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
  fs.mkdirSync(path.join(tmp, 'src/bin'), { recursive: true });
  fs.writeFileSync(path.join(tmp, 'src/bin/sh'), '#!/bin/true\n', { mode: 0o755 });
  fs.writeFileSync(path.join(tmp, 'src/marker'), 'inside');
});
const steps = resolveRootlessOptions();
const readConfig = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));

describe('bundle create', () => {
  test('--rootfs copies the directory and --rootless maps the container root to the caller', async () => {
    const dir = path.join(tmp, 'b');
    const changes = await createBundle(
      dir,
      { rootfs: path.join(tmp, 'src') },
      { args: ['sh', '-c', 'true'], rootless: true, steps },
    );
    expect(fs.readFileSync(path.join(dir, 'rootfs/marker'), 'utf8')).toBe('inside');
    const config = readConfig(dir);
    expect(config.process.args).toEqual(['sh', '-c', 'true']);
    expect(config.linux.namespaces).toContainEqual({ type: 'user' });
    expect(config.linux.uidMappings).toEqual([{ containerID: 0, hostID: process.getuid!(), size: 1 }]);
    expect(changes).toContain('add a user namespace');
    expect(validateBundle(dir).rootfs).toBe(path.join(dir, 'rootfs'));
  });

  test('--tar unpacks a tarball; without --rootless there is no user namespace', async () => {
    execaSync('tar', ['-C', path.join(tmp, 'src'), '-cf', path.join(tmp, 'src.tar'), '.']);
    const dir = path.join(tmp, 't');
    expect(await createBundle(dir, { tar: path.join(tmp, 'src.tar') }, { args: [], rootless: false, steps })).toEqual(
      [],
    );
    expect(fs.existsSync(path.join(dir, 'rootfs/bin/sh'))).toBe(true);
    expect(readConfig(dir).linux.namespaces).not.toContainEqual({ type: 'user' });
    expect(readConfig(dir).process.args).toEqual(['/bin/sh']);
  });

  test('refuses a non-empty directory and cleans up after a failed source', async () => {
    await expect(
      createBundle(path.join(tmp, 'src'), { tar: '/nonexistent.tar' }, { args: [], rootless: false, steps }),
    ).rejects.toThrow(/exists and is not empty/);
    const dir = path.join(tmp, 'x');
    await expect(
      createBundle(dir, { tar: path.join(tmp, 'missing.tar') }, { args: [], rootless: false, steps }),
    ).rejects.toThrow(/unpacking/);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('bundle validate', () => {
  test('names every problem: schema, missing rootfs, nothing to run', () => {
    fs.writeFileSync(
      path.join(tmp, 'config.json'),
      JSON.stringify({ ociVersion: '1.0.0', root: { path: 'nope' }, process: { cwd: '/', args: [] } }),
    );
    expect(() => validateBundle(tmp)).toThrow(
      /root\/path: .*nope is not a directory\n {2}\/process\/args: missing or empty/,
    );
    fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify({ ociVersion: 1 }));
    expect(() => validateBundle(tmp)).toThrow(/config.json is invalid:\n {2}\/ociVersion: must be string/);
    fs.writeFileSync(path.join(tmp, 'config.json'), '{');
    expect(() => validateBundle(tmp)).toThrow(/is not a JSON object/);
    expect(() => validateBundle(path.join(tmp, 'none'))).toThrow(/no such file/);
  });
});

describe('bundle rootless', () => {
  const podman = fs.readFileSync('test/fixtures/bundle-configs/podman-busybox.json', 'utf8');

  test('--dry-run lists the changes and writes nothing', async () => {
    fs.writeFileSync(path.join(tmp, 'config.json'), podman);
    const changes = await applyRootless(tmp, { uid: 1000, gid: 1000 }, true);
    expect(changes).toContain('add a user namespace');
    expect(fs.readFileSync(path.join(tmp, 'config.json'), 'utf8')).toBe(podman);
  });

  test('applies the rewrite and copies bind sources into the rootfs', async () => {
    const config = JSON.parse(podman);
    config.root.path = 'rootfs';
    config.mounts = [{ destination: '/etc/m', type: 'bind', source: path.join(tmp, 'src/marker'), options: ['bind'] }];
    fs.mkdirSync(path.join(tmp, 'rootfs'));
    fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify(config));
    await applyRootless(tmp, { uid: 1000, gid: 1000, bindMounts: 'copy' }, false);
    expect(fs.readFileSync(path.join(tmp, 'rootfs/etc/m'), 'utf8')).toBe('inside');
    const after = readConfig(tmp);
    expect(after.mounts).toEqual([]);
    expect(after.linux.uidMappings).toEqual([{ containerID: 0, hostID: 1000, size: 1 }]);
    expect(fs.statSync(path.join(tmp, 'config.json')).mode & 0o777).toBe(0o644);
  });
});
