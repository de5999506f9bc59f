// /proc reading for the scrun supervisor, on this process and on a real unreaped zombie (the
// situation of scrun's anchor with a finished srun).
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from '@jest/globals';
import { isAlive as isAliveOn } from '../../../src/runtime/scrun/host.js';
import {
  anchorsOf,
  childrenOf,
  cmdlineOf,
  jobIdArg,
  procStat,
  waitStatusToCode,
} from '../../../src/runtime/scrun/proc.js';

const isAlive = (pid: number | undefined, start?: number) => isAliveOn({ stat: procStat }, pid, start);

test('a live process, its start time, and pid reuse detection', () => {
  const me = procStat(process.pid)!;
  expect(me.ppid).toBe(process.ppid);
  expect(me.comm).toBe('node');
  expect(isAlive(process.pid, me.start)).toBe(true);
  expect(isAlive(process.pid, me.start + 1)).toBe(false);
  expect(isAlive(undefined)).toBe(false);
});

test('a parent that never reaps: its child shows as a zombie with the exit code in /proc', async () => {
  // the subshell exits 7; after exec, sleep is its parent and never calls wait()
  const parent = spawn('/bin/sh', ['-c', '(exit 7) & exec sleep 3'], { stdio: 'ignore' });
  try {
    await sleep(300);
    const [zombie] = childrenOf(parent.pid!);
    expect(zombie).toMatchObject({ state: 'Z', comm: 'sh' });
    expect(isAlive(zombie!.pid)).toBe(false);
    expect(waitStatusToCode(zombie!.exitCode)).toBe(7);
  } finally {
    parent.kill();
  }
});

test('wait statuses become shell exit codes', () => {
  expect(waitStatusToCode(7 << 8)).toBe(7);
  expect(waitStatusToCode(9)).toBe(137);
  expect(waitStatusToCode(0)).toBe(0);
});

test("srun's job id comes from its command line, in either spelling; none without one", () => {
  expect(jobIdArg(['srun', '--jobid', '31', '--container-id', 'x'])).toBe(31);
  expect(jobIdArg(['srun', '--jobid=32'])).toBe(32);
  expect(jobIdArg(['srun', '--jobid'])).toBeUndefined();
  expect(jobIdArg(['srun', '--jobid', 'abc'])).toBeUndefined();
  expect(jobIdArg(cmdlineOf(process.pid))).toBeUndefined();
  expect(cmdlineOf(process.pid)[0]).toMatch(/node/);
  expect(cmdlineOf(2 ** 22 + 1)).toEqual([]);
});

test("an anchor is found by its title (scrun's setproctitle), and only the one of that container", async () => {
  const id = `proc-test-${process.pid}`;
  const titled = spawn(process.execPath, ['-e', `process.title = 'scrun: ${id}'; setTimeout(() => {}, 10000)`]);
  try {
    for (let i = 0; i < 50 && !anchorsOf(id).length; i++) await sleep(20);
    expect(anchorsOf(id)).toEqual([titled.pid]);
    expect(anchorsOf(`${id}0`)).toEqual([]);
  } finally {
    titled.kill('SIGKILL');
  }
});
