// munge: not installed or a failing encode/decode fails with the munged fix.
import { expect, test } from '@jest/globals';
import { judgeMunge } from '../../../src/doctor/checks/munge.js';

test('munge', () => {
  expect(judgeMunge().status).toBe('fail');
  expect(
    judgeMunge(
      { exitCode: 1, stderr: 'munge: Error: Failed to access "/run/munge/munge.socket.2"' },
      { exitCode: 1, stdout: '', stderr: '' },
    ),
  ).toMatchObject({
    status: 'fail',
    detail: expect.stringContaining('munge.socket.2'),
    fix: expect.stringContaining('munged'),
  });
  expect(
    judgeMunge({ exitCode: 0, stderr: '' }, { exitCode: 0, stdout: 'STATUS: Success (0)', stderr: '' }).status,
  ).toBe('ok');
});
