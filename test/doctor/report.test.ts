// The report shows every check, a fix under each problem, and counts; JSON parses back.
import { expect, test } from '@jest/globals';
import { jsonReport, textReport } from '../../src/doctor/report.js';
import type { CheckResult } from '../../src/doctor/check.js';

const results: CheckResult[] = [
  { name: 'userns', status: 'ok', detail: 'allowed' },
  {
    name: 'run-user-dir',
    status: 'fail',
    detail: '/run/user/1000 is missing',
    fix: 'sudo loginctl enable-linger alice',
  },
  { name: 'podman', status: 'skip', detail: 'not installed' },
];

test('text: one line per check, the fix under the failure, the counts', () => {
  const text = textReport(results, 'alice');
  expect(text).toMatch(/^FAIL  run-user-dir  \/run\/user\/1000 is missing\n +fix: sudo loginctl enable-linger alice$/m);
  expect(text).toMatch(/^1 ok, 0 warn, 1 fail, 1 skipped$/m);
});

test('json: checks and summary', () => {
  const back = JSON.parse(jsonReport(results, 'alice'));
  expect(back.checks).toEqual(results);
  expect(back.summary).toEqual({ ok: 1, warn: 0, fail: 1, skip: 1 });
});
