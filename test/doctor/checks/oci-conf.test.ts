// oci.conf: missing fails with the generator as the fix; the real linter's errors fail with their
// line and fix, its warnings warn, a clean file is ok.
import { expect, test } from '@jest/globals';
import { judgeOciConf, nodeFindings } from '../../../src/doctor/checks/oci-conf.js';
import { lintOciConf } from '../../../src/oci-conf/lint.js';

// What `slurm-oci generate oci-conf --preset crun-run` writes.
const run = `EnvExclude="^(SLURM_CONF|SLURM_CONF_SERVER)="
RunTimeEnvExclude="^(SLURM_CONF|SLURM_CONF_SERVER)="
RunTimeQuery="crun --rootless=true --root=/run/user/%U/ state %n.%u.%j.%s"
RunTimeRun="crun --rootless=true --root=/run/user/%U/ run --bundle %b %n.%u.%j.%s"
RunTimeKill="crun --rootless=true --root=/run/user/%U/ kill -a %n.%u.%j.%s"
RunTimeDelete="crun --rootless=true --root=/run/user/%U/ delete --force %n.%u.%j.%s"
`;
const judge = (text: string) =>
  judgeOciConf('/etc/slurm/oci.conf', text, nodeFindings(lintOciConf(text, { slurmVersion: '24.11' })), 'Slurm 24.11');

test('missing fails and names the generator', () => {
  expect(judgeOciConf('/etc/slurm/oci.conf', undefined)).toMatchObject({
    status: 'fail',
    fix: expect.stringContaining('generate oci-conf --preset crun-run -o /etc/slurm/oci.conf --force'),
  });
});

test('the generated crun run-mode file is clean on a node (its /run/user warning is the run-user-dir check)', () => {
  expect(lintOciConf(run, { slurmVersion: '24.11' }).map((f) => f.message)).toEqual([
    expect.stringContaining('/run/user/%U'),
  ]);
  expect(judge(run)).toMatchObject({ status: 'ok', detail: '/etc/slurm/oci.conf present, lint-clean for Slurm 24.11' });
});

test('an unknown key fails with its line; a lint warning warns', () => {
  const bad = judge(`${run}RunTimeFoo="x"\n`);
  expect(bad.status).toBe('fail');
  expect(bad.detail).toMatch(/^\/etc\/slurm\/oci.conf: Slurm 24.11 would reject it: line 7: /);
  expect(judge(run.replace(/%n\.%u\.%j\.%s"/g, '%n.%u.%j.%s.%t"')).status).toBe('warn');
  expect(bad.fix).toMatch(/slurm-oci lint oci-conf \/etc\/slurm\/oci.conf/);
  expect(judgeOciConf('/f', 'x', [{ line: 2, severity: 'warning', message: 'no EnvExclude' }])).toMatchObject({
    status: 'warn',
    detail: '/f: line 2: no EnvExclude',
  });
});
