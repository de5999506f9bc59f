// Host: commands are killed at the time limit; executables are found.
import fs from 'node:fs';
import { expect, test } from '@jest/globals';
import { Host } from '../../src/doctor/host.js';

test('Host.run kills a command at the time limit and reports it', async () => {
  const r = await new Host(200).run('sleep', ['30']);
  expect(r.timedOut).toBe(true);
  expect(r.exitCode).not.toBe(0);
});

test('Host.run returns at the limit even when a child of the command keeps the output pipe open', async () => {
  const started = Date.now();
  // sh starts a sleep that inherits stdout and outlives sh's own kill
  const r = await new Host(1000).run('sh', ['-c', 'sleep 30 & echo $! ; wait']);
  expect(r.timedOut).toBe(true);
  expect(Date.now() - started).toBeLessThan(5000);
  // the whole group was killed: the sleep is gone (or a zombie waiting for its new parent to reap it)
  const pid = Number(r.stdout.trim());
  const state = () =>
    fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] : 'gone';
  expect(['gone', 'Z']).toContain(state());
});

test('Host.which finds executables', () => {
  const host = new Host(1000);
  expect(host.which('sh')).toMatch(/\/sh$/);
  expect(host.which('no-such-command-here')).toBeUndefined();
});
