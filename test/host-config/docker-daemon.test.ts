// Rootless Docker set-up: daemon.json round-trips, the drop-in has the rootlesskit settings, and the
// security flags survive a shell round trip as separate words.
import { expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { buildDockerSetup, securityExport, unitFileText } from '../../src/host-config/docker-daemon.js';

const setup = buildDockerSetup({ runtimePath: '/usr/bin/scrun', dataRoot: '/var/tmp/d', execRoot: '/run/user/1000/docker-exec' });

test('daemon.json: slurm is the default runtime, no bridge or iptables, vfs', () => {
  const back = JSON.parse(JSON.stringify(setup.daemonJson));
  expect(back['default-runtime']).toBe('slurm');
  expect(back.runtimes.slurm.path).toBe('/usr/bin/scrun');
  expect(back.bridge).toBe('none');
  expect(back.iptables).toBe(false);
  expect(back['storage-driver']).toBe('vfs');
});

test('systemd override puts rootlesskit on the host network with no port driver', () => {
  expect(unitFileText(setup.override)).toBe(
    '[Service]\nEnvironment="DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=none"\nEnvironment="DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host"\n',
  );
});

test('the DOCKER_SECURITY line expands to the flags in sh', () => {
  const words = execFileSync('sh', ['-c', `${securityExport(setup.securityFlags)} printf '%s\\n' $DOCKER_SECURITY`], { encoding: 'utf8' });
  expect(words.trim().split('\n')).toEqual(setup.securityFlags);
});
