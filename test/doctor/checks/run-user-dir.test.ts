// /run/user/UID: missing fails (linger fix with systemd, prolog fix without), wrong owner fails,
// present without lingering under systemd warns.
import { expect, test } from '@jest/globals';
import { judgeRunUser } from '../../../src/doctor/checks/run-user-dir.js';

const base = { user: 'alice', uid: 1000, systemd: true, linger: true, dir: { uid: 1000, mode: 0o40700 } };

test('present, private and lingering is ok', () => {
  expect(judgeRunUser(base).status).toBe('ok');
});

test('missing: enable lingering under systemd, a prolog without it', () => {
  expect(judgeRunUser({ ...base, dir: undefined })).toMatchObject({
    status: 'fail',
    fix: expect.stringContaining('loginctl enable-linger alice'),
  });
  expect(judgeRunUser({ ...base, dir: undefined, systemd: false })).toMatchObject({
    status: 'fail',
    fix: expect.stringContaining('install -d -m 0700 -o alice /run/user/1000'),
  });
});

test('owned by someone else fails; open mode and no lingering warn', () => {
  expect(judgeRunUser({ ...base, dir: { uid: 0, mode: 0o40700 } }).status).toBe('fail');
  expect(judgeRunUser({ ...base, dir: { uid: 1000, mode: 0o40755 } }).status).toBe('warn');
  expect(judgeRunUser({ ...base, linger: false })).toMatchObject({
    status: 'warn',
    fix: expect.stringContaining('enable-linger'),
  });
  expect(judgeRunUser({ ...base, linger: false, systemd: false }).status).toBe('ok');
});
