// doctor through the built CLI: an unknown check name is a usage error that lists the checks;
// a selected check reports as JSON and the exit code follows its status.
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { execa } from 'execa';

const cli = path.resolve('bin/slurm-oci');

test('an unknown check is refused with the list of checks', async () => {
  const r = await execa(cli, ['doctor', '--check', 'nope'], { reject: false });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/unknown check nope\nslurm-oci: hint: the checks are: userns, run-user-dir, /);
});

test('--check cgroup --format json: one check, exit 1 exactly when it failed', async () => {
  const r = await execa(cli, ['doctor', '--check', 'cgroup', '--format', 'json'], { reject: false });
  const report = JSON.parse(r.stdout);
  expect(report.checks.map((c: { name: string }) => c.name)).toEqual(['cgroup']);
  expect(r.exitCode).toBe(report.summary.fail ? 1 : 0);
});
