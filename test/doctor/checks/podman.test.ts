// Podman: missing is skipped, errors and non-rootless fail, a non-Slurm runtime warns.
import { expect, test } from '@jest/globals';
import { judgePodman } from '../../../src/doctor/checks/podman.js';
import type { PodmanInfo } from '../../../src/doctor/host.js';

const info = (rootless: boolean, runtime: string): PodmanInfo => ({
  host: { security: { rootless }, ociRuntime: { name: runtime, path: '/usr/bin/scrun' } },
  store: {},
  version: { Version: '5.4.2' },
});

test('statuses', () => {
  expect(judgePodman(undefined, 1000).status).toBe('skip');
  expect(judgePodman({ error: 'cannot open database' }, 1000)).toMatchObject({ status: 'fail', detail: expect.stringContaining('cannot open database') });
  expect(judgePodman({ info: info(false, 'slurm') }, 1000).status).toBe('fail');
  expect(judgePodman({ info: info(false, 'slurm') }, 0).status).toBe('warn');
  expect(judgePodman({ info: info(true, 'crun') }, 1000)).toMatchObject({ status: 'warn', fix: expect.stringContaining('generate containers-conf') });
  expect(judgePodman({ info: info(true, 'slurm') }, 1000)).toMatchObject({ status: 'ok', detail: expect.stringContaining('podman 5.4.2') });
});
