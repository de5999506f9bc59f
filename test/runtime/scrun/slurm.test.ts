// How the scrun supervisor reads a container's job: which job is the container's, and its exit
// code from `scontrol show job --json` (shapes as Slurm 24.11 prints them in the test cluster).
import { expect, test } from '@jest/globals';
import { newestJob, parseJobEnd, pingTrouble } from '../../../src/runtime/scrun/slurm.js';

// An exit_code / derived_exit_code object: a return code, or a signal number.
const code = (rc: number, signal?: number) => ({
  status: [signal ? 'SIGNALED' : rc ? 'ERROR' : 'SUCCESS'],
  return_code: { set: true, infinite: false, number: rc },
  signal: { id: { set: !!signal, infinite: false, number: signal ?? 0 }, name: '' },
});
const job = (state: string[], exit: object, derived: object) =>
  JSON.stringify({ jobs: [{ job_id: 40, job_state: state, exit_code: exit, derived_exit_code: derived }] });

test("the container's job is the newest one for its id, leaving out a failed attempt's", () => {
  // squeue lists finished jobs for minutes: an earlier container of the same name, a retried create
  const lines = ' 39|abc\n 12|abc\n 41|other\n 40|abc\n|abc\n';
  expect(newestJob(lines, 'abc', new Set())).toBe(40);
  expect(newestJob(lines, 'abc', new Set([40]))).toBe(39);
  expect(newestJob(lines, 'nope', new Set())).toBeUndefined();
  expect(newestJob('', 'abc', new Set())).toBeUndefined();
});

test('a running job has no exit code yet', () => {
  expect(parseJobEnd(job(['RUNNING'], code(0), code(0)))).toEqual({
    state: 'RUNNING',
    finished: false,
    exitCode: undefined,
  });
  expect(parseJobEnd('not json')).toBeUndefined();
  expect(parseJobEnd('{"jobs":[]}')).toBeUndefined();
});

test('both codes agree: that code', () => {
  expect(parseJobEnd(job(['FAILED'], code(2), code(2)))).toEqual({ state: 'FAILED', finished: true, exitCode: 2 });
  expect(parseJobEnd(job(['COMPLETED'], code(0), code(0)))?.exitCode).toBe(0);
});

test("one code still 0 while the other has the container's: the non-zero one", () => {
  // the steps' code before slurmstepd's step-complete message is in; the anchor's when it was deleted first
  expect(parseJobEnd(job(['FAILED', 'COMPLETING'], code(3), code(0)))?.exitCode).toBe(3);
  expect(parseJobEnd(job(['COMPLETED'], code(0), code(3)))?.exitCode).toBe(3);
});

test('signals become 128+n', () => {
  expect(parseJobEnd(job(['CANCELLED'], code(0, 15), code(0)))?.exitCode).toBe(143);
  expect(parseJobEnd(job(['CANCELLED'], code(0), code(0, 9)))?.exitCode).toBe(137);
});

test("a Slurm error number as the anchor's status is a failure, never 0 or a made-up signal", () => {
  // ESLURM_ALREADY_DONE (2021) passed on as a wait status reads as signal 101 (seen: exit 229)
  expect(parseJobEnd(job(['FAILED'], code(0, 101), code(0)))?.exitCode).toBe(255);
  expect(parseJobEnd(job(['FAILED'], code(0, 101), code(4)))?.exitCode).toBe(4);
});

test("ESLURM_ALREADY_DONE as the anchor's status is told apart: scrun completed the job before it ran", () => {
  expect(parseJobEnd(job(['FAILED'], code(7, 101), code(0)))).toMatchObject({ exitCode: 255, alreadyDone: true });
  expect(parseJobEnd(job(['FAILED'], code(1), code(1)))?.alreadyDone).toBeUndefined();
  expect(parseJobEnd(job(['RUNNING'], code(7, 101), code(0)))?.alreadyDone).toBeUndefined();
});

test('scontrol ping: nothing wrong when UP; else its first line, not the banner after it, or the exit code', () => {
  expect(pingTrouble({ code: 0, stdout: 'Slurmctld(primary) at vm is UP\n', stderr: '' })).toBeUndefined();
  const down =
    'Slurmctld(primary) at vm is DOWN\n*****************************************\n** RESTORE SLURMCTLD DAEMON TO SERVICE **\n*****************************************\n';
  expect(pingTrouble({ code: 1, stdout: down, stderr: '' })).toBe('Slurmctld(primary) at vm is DOWN');
  expect(
    pingTrouble({ code: 1, stdout: '', stderr: 'scontrol: error: resolve_ctls_from_dns_srv: res_nsearch error\n' }),
  ).toBe('scontrol: error: resolve_ctls_from_dns_srv: res_nsearch error');
  expect(pingTrouble({ code: 124, stdout: '', stderr: '' })).toBe('scontrol ping exited 124');
});
