// The Podman helper on the real cluster: rootless Podman with crun as the `slurm` runtime.
import { expect, test } from '@jest/globals';
import { setupPodman } from '../helpers/podman.js';

test('rootless podman runs busybox and passes the exit code back', async () => {
  const podman = await setupPodman({ name: 'helper-check', runtime: '/usr/bin/crun' });
  const r = await podman.sh('podman run --rm localhost/busybox sh -c "cat /etc/testbed-marker; exit 5"');
  expect(r.stdout).toBe('inside-busybox');
  expect(r.exitCode).toBe(5);
});
