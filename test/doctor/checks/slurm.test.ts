// slurm: no client or a version before 23.02 fails, no scrun warns.
import { expect, test } from '@jest/globals';
import { atLeast, judgeSlurm } from '../../../src/doctor/checks/slurm.js';

test('slurm', () => {
  expect(atLeast('23.02.1', 23, 2)).toBe(true);
  expect(atLeast('22.05.9', 23, 2)).toBe(false);
  expect(atLeast('24.11', 23, 2)).toBe(true);
  expect(judgeSlurm(undefined, undefined).status).toBe('fail');
  expect(judgeSlurm('22.05.9', '/usr/bin/scrun').status).toBe('fail');
  expect(judgeSlurm('24.11.5', undefined).status).toBe('warn');
  expect(judgeSlurm('24.11.5', '/usr/bin/scrun')).toMatchObject({
    status: 'ok',
    detail: 'Slurm 24.11.5, scrun at /usr/bin/scrun',
  });
});
