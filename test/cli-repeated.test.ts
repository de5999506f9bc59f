// The top-level parser: a single-valued option given twice is one clear usage error in every
// command (yargs would hand the handler a list), while list options still collect every value.
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { execa } from 'execa';

const cli = path.resolve('bin/slurm-oci');

test.each([
  [['generate', 'storage-conf', '--graphroot', '/tmp/a', '--graphroot', '/tmp/b'], 'graphroot'],
  [['generate', 'docker-daemon', '--exec-root', '/tmp/a', '--exec-root', '/tmp/b'], 'exec-root'],
  [['doctor', '--timeout', '5', '--timeout', '6'], 'timeout'],
])('%j is refused with one line naming the option', async (args, option) => {
  const r = await execa(cli, args, { reject: false });
  expect(r.exitCode).toBe(2);
  expect(r.stdout).toBe('');
  const [first, hint, ...rest] = r.stderr.split('\n');
  expect(first).toBe(`slurm-oci: --${option} was given more than once`);
  expect(hint).toMatch(/^slurm-oci: hint: /);
  expect(rest).toEqual([]);
});

test('list options still take every value', async () => {
  const conf = await execa(cli, [
    'generate',
    'containers-conf',
    '--runtime-path',
    '/a/scrun',
    '--runtime-path',
    '/b/scrun',
  ]);
  expect(conf.stdout).toMatch(/slurm = \[ "\/a\/scrun", "\/b\/scrun" \]/);
  const r = await execa(cli, ['doctor', '--format', 'json', '--check', 'cgroup', '--check', 'userns'], {
    reject: false,
  });
  expect(JSON.parse(r.stdout).checks.map((c: { name: string }) => c.name)).toEqual(['userns', 'cgroup']);
});
