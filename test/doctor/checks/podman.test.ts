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
  expect(judgePodman({ error: 'cannot open database' }, 1000)).toMatchObject({
    status: 'fail',
    detail: expect.stringContaining('cannot open database'),
  });
  expect(judgePodman({ info: info(false, 'slurm') }, 1000).status).toBe('fail');
  expect(judgePodman({ info: info(false, 'slurm') }, 0).status).toBe('warn');
  expect(judgePodman({ info: info(true, 'crun') }, 1000)).toMatchObject({
    status: 'warn',
    fix: expect.stringContaining('generate containers-conf'),
  });
  expect(judgePodman({ info: info(true, 'slurm') }, 1000)).toMatchObject({
    status: 'ok',
    detail: expect.stringContaining('podman 5.4.2'),
  });
});

test('a store made with another driver: the reset command for that driver', () => {
  const error =
    'time="2026-11-23T05:42:52Z" level=error msg="User-selected graph driver \\"vfs\\" overwritten by graph driver \\"overlay\\" from database - delete libpod local files (\\"/s\\") to resolve."';
  const f = judgePodman({ error }, 1000);
  expect(f).toMatchObject({
    status: 'fail',
    detail: 'the store was made with the overlay driver and storage.conf now asks for vfs: podman stops',
  });
  expect(f.fix).toMatch(/^podman --storage-driver overlay --storage-opt "" system reset --force/);
  expect(judgePodman({ error: 'time="x" level=error msg="cannot \\"open\\" db"' }, 1000).detail).toBe(
    'podman info failed: cannot "open" db',
  );
});
