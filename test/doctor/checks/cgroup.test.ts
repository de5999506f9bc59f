// cgroup: v2 is ok with its controllers, hybrid and v1 warn.
import { expect, test } from '@jest/globals';
import { judgeCgroup } from '../../../src/doctor/checks/cgroup.js';

test('cgroup', () => {
  expect(judgeCgroup('cgroup2', false, 'cpu memory pids\n')).toMatchObject({
    status: 'ok',
    detail: 'cgroup v2 (controllers: cpu memory pids)',
  });
  expect(judgeCgroup('tmpfs', true, undefined).detail).toMatch(/hybrid/);
  expect(judgeCgroup('tmpfs', false, undefined).status).toBe('warn');
});
