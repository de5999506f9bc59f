// User-namespace sysctls: each blocking value fails with the sysctl that fixes it.
import { expect, test } from '@jest/globals';
import { judgeUserns } from '../../../src/doctor/checks/userns.js';

test('allowed when nothing blocks (missing sysctls are not on this kernel)', () => {
  expect(judgeUserns({ 'user.max_user_namespaces': '63000\n' })).toMatchObject({
    status: 'ok',
    detail: expect.stringContaining('63000'),
  });
});

test('Ubuntu AppArmor restriction and Debian clone switch fail with one sysctl command', () => {
  const f = judgeUserns({
    'kernel.unprivileged_userns_clone': '0',
    'kernel.apparmor_restrict_unprivileged_userns': '1\n',
    'user.max_user_namespaces': '100',
  });
  expect(f.status).toBe('fail');
  expect(f.fix).toMatch(
    /^sudo sysctl -w kernel.unprivileged_userns_clone=1 kernel.apparmor_restrict_unprivileged_userns=0;/,
  );
  expect(f.fix).toMatch(/sysctl.d/);
});

test('sysctls fine but unshare failed: fail, pointing at the security policy', () => {
  expect(judgeUserns({}, 'unshare: Operation not permitted')).toMatchObject({
    status: 'fail',
    detail: expect.stringContaining('Operation not permitted'),
  });
});
