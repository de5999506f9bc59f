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
  const refused = await execa(cli, ['generate', 'storage-conf', '--graphroot', graphroot, '-o', file], {
    reject: false,
  });
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
  const r = await execa(cli, [
    'generate',
    'docker-daemon',
    '--config-dir',
    dir,
    '--runtime-path',
    '/usr/bin/scrun',
    '--data-root',
    path.join(dir, 'd'),
  ]);
  expect(r.stdout).toMatch(/export DOCKER_SECURITY=/);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'docker/daemon.json'), 'utf8')).runtimes.slurm.path).toBe(
    '/usr/bin/scrun',
  );
  expect(fs.readFileSync(path.join(dir, 'systemd/user/docker.service.d/override.conf'), 'utf8')).toMatch(
    /ROOTLESSKIT_NET=host/,
  );

  const other = tmp();
  fs.mkdirSync(path.join(other, 'systemd/user/docker.service.d'), { recursive: true });
  fs.writeFileSync(path.join(other, 'systemd/user/docker.service.d/override.conf'), 'mine\n');
  const refused = await execa(
    cli,
    ['generate', 'docker-daemon', '--config-dir', other, '--data-root', path.join(other, 'd')],
    { reject: false },
  );
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

test('docker-daemon refuses an exec-root or data-root under /run, also through /var/run, and writes nothing', async () => {
  const dir = tmp();
  const roots = { data: ['--data-root', path.join(dir, 'd')], exec: ['--exec-root', path.join(dir, 'e')] };
  for (const args of [
    [...roots.data, '--exec-root', '/run/user/1000/docker-exec'],
    ['--data-root', '/var/run/user/1000/docker', ...roots.exec],
    [...roots.data, '--exec-root', '/etc/docker-exec'],
  ]) {
    const r = await execa(cli, ['generate', 'docker-daemon', '--config-dir', dir, ...args], { reject: false });
    expect(r.exitCode).toBe(1);
    const option = args.find((a, i) => i % 2 === 0 && /^\/(run|var\/run|etc)\//.test(args[i + 1]));
    expect(r.stderr.split('\n')[0]).toMatch(
      new RegExp(
        `^slurm-oci: ${option} \\S+ is under /(run|etc|var/run), which rootless dockerd sees only as rootlesskit's private copy: a Slurm job could not reach the containers there; nothing was written$`,
      ),
    );
    expect(r.stderr).toMatch(/hint: give --/);
  }
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('docker-daemon refuses a root another user owns', async () => {
  let theirs = '/usr';
  if (process.getuid!() === 0) {
    theirs = path.join(tmp(), 'planted');
    fs.mkdirSync(theirs);
    fs.chownSync(theirs, 65534, 65534);
  }
  const r = await execa(
    cli,
    ['generate', 'docker-daemon', '--format', 'json', '--data-root', path.join(tmp(), 'd'), '--exec-root', theirs],
    { reject: false },
  );
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(/--exec-root \S+ belongs to uid \d+, not you; nothing was written/);
});

test('docker-daemon says why the roots are outside /run, and that node-local roots keep jobs on this node', async () => {
  const dir = tmp();
  const r = await execa(cli, [
    'generate',
    'docker-daemon',
    '--format',
    'json',
    '--data-root',
    path.join(dir, 'd'),
    '--exec-root',
    path.join(dir, 'e'),
  ]);
  const out = JSON.parse(r.stdout);
  expect(out.daemonJson['ip-forward']).toBe(false);
  expect(out.daemonJson['exec-root']).toBe(path.join(dir, 'e'));
  expect(out.notes[0]).toMatch(/outside \/run on purpose: rootless dockerd runs inside rootlesskit/);
  // the test's temporary directory is on a local filesystem (tmpfs, ext4, overlay, ...) here
  expect(out.notes[1]).toMatch(/which only this node sees: .*multi-node jobs/);
  const text = await execa(cli, [
    'generate',
    'docker-daemon',
    '--data-root',
    path.join(dir, 'd'),
    '--exec-root',
    path.join(dir, 'e'),
  ]);
  expect(text.stdout).toMatch(/^# outside \/run|# exec-root and data-root are outside \/run on purpose/m);
  expect(
    JSON.parse(
      text.stdout
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n')
        .split('\n\n')[0],
    )['ip-forward'],
  ).toBe(false);
});
