// Rootless Docker set-up: daemon.json round-trips, the drop-in has the rootlesskit settings, and the
// security flags survive a shell round trip as separate words.
import { expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import {
  buildDockerSetup,
  defaultDockerRoots,
  hiddenByRootlesskit,
  nodeLocalNote,
  securityExport,
  unitFileText,
} from '../../src/host-config/docker-daemon.js';

const setup = buildDockerSetup({
  runtimePath: '/usr/bin/scrun',
  dataRoot: '/var/tmp/d',
  execRoot: '/run/user/1000/docker-exec',
});

test('daemon.json: slurm is the default runtime, no bridge or iptables, vfs', () => {
  const back = JSON.parse(JSON.stringify(setup.daemonJson));
  expect(back['default-runtime']).toBe('slurm');
  expect(back.runtimes.slurm.path).toBe('/usr/bin/scrun');
  expect(back.bridge).toBe('none');
  expect(back.iptables).toBe(false);
  // rootless Docker 26 stops at start without it: it cannot write /proc/sys/net/ipv4/ip_forward
  expect(back['ip-forward']).toBe(false);
  expect(back['storage-driver']).toBe('vfs');
});

test('systemd override puts rootlesskit on the host network with no port driver', () => {
  expect(unitFileText(setup.override)).toBe(
    '[Service]\nEnvironment="DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=none"\nEnvironment="DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host"\n',
  );
});

test('the DOCKER_SECURITY line expands to the flags in sh', () => {
  const words = execFileSync('sh', ['-c', `${securityExport(setup.securityFlags)} printf '%s\\n' $DOCKER_SECURITY`], {
    encoding: 'utf8',
  });
  expect(words.trim().split('\n')).toEqual(setup.securityFlags);
});

test('the default roots are on local disk, outside every directory rootlesskit copies up', () => {
  const roots = defaultDockerRoots('alice');
  expect(roots).toEqual({
    dataRoot: '/var/tmp/containers-alice/docker',
    execRoot: '/var/tmp/containers-alice/docker-exec',
  });
  expect(hiddenByRootlesskit(roots.dataRoot)).toBeUndefined();
  expect(hiddenByRootlesskit(roots.execRoot)).toBeUndefined();
});

test('hiddenByRootlesskit names the copied-up directory, whole path components only', () => {
  expect(hiddenByRootlesskit('/run/user/1000/docker-exec')).toBe('/run');
  expect(hiddenByRootlesskit('/run')).toBe('/run');
  expect(hiddenByRootlesskit('/etc/docker')).toBe('/etc');
  expect(hiddenByRootlesskit('/var/run/docker')).toBe('/var/run');
  expect(hiddenByRootlesskit('/runtime/docker')).toBeUndefined();
  expect(hiddenByRootlesskit('/scratch/run/docker')).toBeUndefined();
});

test('the node-local note names the directories and says multi-node jobs need a shared filesystem', () => {
  expect(nodeLocalNote(['/var/tmp/a', '/var/tmp/b'], 'ext4')).toMatch(
    /^\/var\/tmp\/a and \/var\/tmp\/b are on ext4, which only this node sees: .*multi-node jobs.*shared/,
  );
  expect(nodeLocalNote(['/x'], 'xfs')).toMatch(/^\/x is on xfs/);
});
