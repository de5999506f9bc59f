// Host: commands are killed at the time limit; executables are found.
import { expect, test } from '@jest/globals';
import { Host } from '../../src/doctor/host.js';

test('Host.run kills a command at the time limit and reports it', async () => {
  const r = await new Host(200).run('sleep', ['30']);
  expect(r.timedOut).toBe(true);
  expect(r.exitCode).not.toBe(0);
});

test('Host.which finds executables', () => {
  const host = new Host(1000);
  expect(host.which('sh')).toMatch(/\/sh$/);
  expect(host.which('no-such-command-here')).toBeUndefined();
});
