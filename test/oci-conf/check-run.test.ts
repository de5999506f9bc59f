// The command runner behaves like slurmstepd's run_command(): merged output, exit codes, and a
// finish only at EOF of the pipe, so a process left holding it shows up (here, as a timeout).
import os from 'node:os';
import { expect, test } from '@jest/globals';
import { runCommand, startCommand } from '../../src/oci-conf/check-run.js';
import { queryStatus } from '../../src/oci-conf/check.js';

const opts = { cwd: os.tmpdir(), timeoutMs: 10_000 };

test('stdout and stderr are merged in order, the exit code comes back', async () => {
  const r = await runCommand('echo out; echo err >&2; exit 3', opts);
  expect(r).toMatchObject({ exitCode: 3, output: 'out\nerr\n', timedOut: false });
});

test('a background process that keeps the output pipe open blocks until the timeout', async () => {
  const r = await runCommand('sleep 30 & echo created', { ...opts, timeoutMs: 1_000 });
  expect(r).toMatchObject({ exitCode: 0, output: 'created\n', timedOut: true });
});

test('a started command can be watched and killed with its whole process group', async () => {
  const running = startCommand('echo started; sleep 30 & wait', opts);
  while (!running.output().includes('started')) await new Promise((r) => setTimeout(r, 20));
  running.kill();
  expect((await running.done).exitCode).toBe(137);
});

test('a Query counts only when its whole output is JSON with a status', () => {
  const q = (output: string, exitCode = 0) => queryStatus({ exitCode, output, seconds: 0, timedOut: false });
  expect(q('{"status":"Running","pid":1}')).toBe('running');
  expect(q('warning: x\n{"status":"running"}')).toBeUndefined();
  expect(q('{"status":"running"}', 1)).toBeUndefined();
});
