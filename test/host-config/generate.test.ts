// The generate commands through the built CLI: stdout by default, -o refuses to replace a file
// without --force (and changes nothing), --config-dir installs Docker's two files or neither.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { execa } from 'execa';
import { parse } from 'smol-toml';

const cli = path.resolve('bin/slurm-oci');
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'gen-'));

test('containers-conf prints TOML with the given runtime paths', async () => {
  const r = await execa(cli, ['generate', 'containers-conf', '--runtime-path', '/opt/slurm/bin/scrun', '--no-systemd']);
  const conf = parse(r.stdout) as any;
  expect(conf.engine.runtimes.slurm).toEqual(['/opt/slurm/bin/scrun']);
  expect(conf.engine.cgroup_manager).toBe('cgroupfs');
});

test('-o writes the file; an existing file needs --force and is left untouched without it', async () => {
  const file = path.join(tmp(), 'storage.conf');
  const graphroot = path.join(path.dirname(file), 'store');
  await execa(cli, ['generate', 'storage-conf', '--graphroot', graphroot, '-o', file]);
  expect((parse(fs.readFileSync(file, 'utf8')) as any).storage.graphroot).toBe(graphroot);
  fs.writeFileSync(file, 'hand-tuned\n');
  const refused = await execa(cli, ['generate', 'storage-conf', '--graphroot', graphroot, '-o', file], { reject: false });
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr).toMatch(/already exists; nothing was written/);
  expect(refused.stderr).toMatch(/hint: add --force/);
  expect(fs.readFileSync(file, 'utf8')).toBe('hand-tuned\n');
  await execa(cli, ['generate', 'storage-conf', '--graphroot', graphroot, '-o', file, '--force']);
  expect((parse(fs.readFileSync(file, 'utf8')) as any).storage.driver).toBe('vfs');
  expect(fs.readdirSync(path.dirname(file))).toEqual(['storage.conf']);
});

test('docker-daemon --config-dir installs both files, and refuses both if one exists', async () => {
  const dir = tmp();
  const r = await execa(cli, ['generate', 'docker-daemon', '--config-dir', dir, '--runtime-path', '/usr/bin/scrun', '--data-root', path.join(dir, 'd')]);
  expect(r.stdout).toMatch(/export DOCKER_SECURITY=/);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'docker/daemon.json'), 'utf8')).runtimes.slurm.path).toBe('/usr/bin/scrun');
  expect(fs.readFileSync(path.join(dir, 'systemd/user/docker.service.d/override.conf'), 'utf8')).toMatch(/ROOTLESSKIT_NET=host/);

  const other = tmp();
  fs.mkdirSync(path.join(other, 'systemd/user/docker.service.d'), { recursive: true });
  fs.writeFileSync(path.join(other, 'systemd/user/docker.service.d/override.conf'), 'mine\n');
  const refused = await execa(cli, ['generate', 'docker-daemon', '--config-dir', other, '--data-root', path.join(other, 'd')], { reject: false });
  expect(refused.exitCode).toBe(1);
  expect(fs.existsSync(path.join(other, 'docker/daemon.json'))).toBe(false);
});

test('docker-daemon --format json gives the three parts', async () => {
  const r = await execa(cli, ['generate', 'docker-daemon', '--format', 'json', '--data-root', path.join(tmp(), 'd')]);
  const out = JSON.parse(r.stdout);
  expect(out.daemonJson['default-runtime']).toBe('slurm');
  expect(out.systemdOverride).toMatch(/^\[Service\]/);
  expect(out.securityFlags).toContain('--net=none');
});
