// oci.conf: missing fails with the generator as the fix; lint errors fail, warnings warn.
import { expect, test } from '@jest/globals';
import { judgeOciConf } from '../../../src/doctor/checks/oci-conf.js';

test('statuses', () => {
  expect(judgeOciConf('/etc/slurm/oci.conf', undefined)).toMatchObject({ status: 'fail', fix: expect.stringContaining('generate oci-conf -o /etc/slurm/oci.conf') });
  expect(judgeOciConf('/etc/slurm/oci.conf', 'RunTimeRun="crun run %b"\n').status).toBe('ok');
  expect(judgeOciConf('/f', 'x', [{ severity: 'error', message: 'line 1: unknown key Foo' }])).toMatchObject({ status: 'fail', detail: '/f: line 1: unknown key Foo' });
  expect(judgeOciConf('/f', 'x', [{ severity: 'warning', message: 'no EnvExclude' }]).status).toBe('warn');
});
