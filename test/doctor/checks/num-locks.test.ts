// num-locks: none free fails with the renumber fix, few warn.
import { expect, test } from '@jest/globals';
import { judgeLocks } from '../../../src/doctor/checks/num-locks.js';

test('num-locks', () => {
  expect(judgeLocks(undefined).status).toBe('skip');
  expect(judgeLocks(0)).toMatchObject({ status: 'fail', fix: expect.stringContaining('podman system renumber') });
  expect(judgeLocks(5).status).toBe('warn');
  expect(judgeLocks(2040).status).toBe('ok');
});
