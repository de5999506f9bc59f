// scrun's anchor log as the supervisor reads it: lines copied from a real run (Slurm 24.11, one
// container exiting 7) and the variants anchor.c can write.
import { expect, test } from '@jest/globals';
import { readAnchorLog } from '../../../src/runtime/scrun/anchor-log.js';

const line = (log: string) => JSON.stringify({ log, stream: 'stdout', time: '2026-11-30T14:34:15' });
const run = (...end: string[]) =>
  [
    line('debug:  _setup_listener: listening for srun RPCs on port=46753'),
    line('debug:  srun argv[16]=sh'),
    line('debug:  _try_start: forked for srun of c255a9 to pid:30369'),
    line('debug:  _catch_sigchld: caught SIGCHLD'),
    ...end.map(line),
    line('debug:  _finish_job: jobId=210 released successfully'),
  ].join('\n');

test("srun's exit status as the anchor logged reaping it", () => {
  expect(readAnchorLog(run('debug:  _catch_sigchld: srun[30369] exited with rc=0x7'))).toEqual({
    srunCode: 7,
    bailed: false,
  });
  expect(readAnchorLog(run('debug:  _catch_sigchld: srun[30369] exited with rc=0xff')).srunCode).toBe(255);
  expect(readAnchorLog(run('debug:  _catch_sigchld: srun[30369] killed by signal Killed[9]')).srunCode).toBe(137);
});

test('no answer from a log without the line, another format, or a raw wait status', () => {
  expect(readAnchorLog('')).toEqual({ bailed: false });
  expect(readAnchorLog(run())).toEqual({ bailed: false });
  expect(readAnchorLog('[2026-11-30T14:34:15] debug:  _catch_sigchld: srun[1] exited with rc=0x7')).toEqual({
    bailed: false,
  });
  expect(readAnchorLog(run('debug:  _catch_sigchld: srun[30369] exited rc=0x137f')).srunCode).toBeUndefined();
});

test("the container's own words in the log (its argv) are not taken for the anchor's", () => {
  const argv = line('debug:  srun argv[18]=debug:  _catch_sigchld: srun[1] exited with rc=0x0');
  expect(readAnchorLog([argv, '{"log": 3}', 'not json'].join('\n'))).toEqual({ bailed: false });
});

test("scrun's race: the anchor bailed out of its allocation check", () => {
  const log = run(
    'debug:  check_allocation: bailing due to status RUNNING != CREATING',
    'debug:  _catch_sigchld: srun[30369] exited with rc=0x1',
  );
  expect(readAnchorLog(log)).toEqual({ srunCode: 1, bailed: true });
});
