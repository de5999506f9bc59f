// The scrun supervisor's logic on a fake node and controller (fake-host.ts): when the container
// counts as ended, where its exit code comes from, what a failed create does, and that every
// path ends with the container's directory in a final phase and nothing left running.
import fs from 'node:fs';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import type { ScrunContainer } from '../../../src/runtime/scrun/container.js';
import { supervise } from '../../../src/runtime/scrun/supervise.js';
import type { ContainerRecord } from '../../../src/runtime/store.js';
import { createdContainer, FakeHost, started, type Attempt } from './fake-host.js';

const ID = 'c1';
const record: ContainerRecord = {
  id: ID,
  backend: 'scrun',
  binary: '/usr/bin/scrun',
  backendRoot: '/r/scrun/x',
  bundle: '/b',
  rootfs: '/b/rootfs',
  ociVersion: '1.0.0',
  annotations: {},
  created: '',
  slurm: { squeue: 'squeue', scontrol: 'scontrol', scancel: 'scancel' },
};
let dir: string;
let container: ScrunContainer;
let logged: string[];

beforeEach(() => {
  container = createdContainer('rt-sup-');
  dir = container.dir;
  logged = [];
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function run(host: FakeHost, abort = new AbortController().signal, stopped = new AbortController().signal) {
  const code = await supervise(
    {
      container,
      record,
      globals: { debug: false },
      host,
      log: (level, msg) => logged.push(`${level}: ${msg}`),
      abort,
      stopped,
      stderr: () => {},
    },
    host.pidFile,
  );
  expect(host.pidFileWatching).toBe(0);
  return { code, state: container.read()!, t: host.t };
}

test('the usual end: srun reaped, the anchor exits and its pipe closes; the code is the job record’s, asked once', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(250, () => host.exit(101));
  host.at(300, () => {
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 7 };
    host.anchorGone(100);
  });
  const r = await run(host);
  expect(r).toMatchObject({
    code: 7,
    state: { phase: 'exited', exitCode: 7, how: 'anchor exited', cleaned: true, jobId: 40, anchor: { pid: 100 } },
  });
  expect(host.calls).toEqual(['scrun create']);
  expect(r.t).toBeLessThan(600);
});

test("the job is read off srun's command line while it runs: the controller is asked only for the code", async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.cmdlines.set(101, ['srun', '--jobid', '40', '--job-name', 'scrun', '--container-id', ID]);
  host.at(250, () => host.exit(101));
  host.at(300, () => {
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 7 };
    host.anchorGone(100);
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 7, state: { phase: 'exited', jobId: 40 } });
  expect(host.jobLookups).toBe(0);
});

test('an anchor that stops (removes its pid file) but never exits: ended at once, code from the job record, killed without a delete', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(250, () => host.exit(101));
  host.at(260, () => {
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 7 };
    host.anchorStopped();
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 7, state: { phase: 'exited', exitCode: 7, how: 'anchor stopped', cleaned: true } });
  // no scrun delete (the anchor is past it), no scancel (the job has finished)
  expect(host.calls).toEqual(['scrun create', 'kill 100 SIGKILL']);
  expect(host.procs.size).toBe(0);
  expect(r.t).toBeLessThan(1000);
});

// A line of scrun's anchor log (--log-format json, at debug level).
const anchorSays = (log: string) => fs.appendFileSync(container.scrunLog, JSON.stringify({ log }) + '\n');

test("srun's end as the anchor logged it: the code with no question to the controller", async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(250, () => {
    host.exit(101);
    anchorSays('debug:  _catch_sigchld: srun[101] exited with rc=0x7');
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 7 };
    host.anchorStopped();
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 7, state: { phase: 'exited', exitCode: 7, how: 'anchor stopped' } });
  expect({ jobLookups: host.jobLookups, jobEnds: host.jobEnds }).toEqual({ jobLookups: 0, jobEnds: 0 });
  expect(host.calls).toEqual(['scrun create', 'kill 100 SIGKILL']);
});

test("a log from an earlier attempt is not this attempt's: its srun end is not taken", async () => {
  anchorSays('debug:  _catch_sigchld: srun[1] exited with rc=0x0');
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(250, () => host.exit(101));
  host.at(300, () => {
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 6 };
    host.anchorGone(100);
  });
  expect((await run(host)).code).toBe(6);
});

test('the anchor logged bailing out of its allocation check (scrun race): the record confirms, and it runs again', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40), started(ID, 200, 41)]);
  host.at(200, () => {
    anchorSays('debug:  check_allocation: bailing due to status RUNNING != CREATING');
    anchorSays('debug:  _catch_sigchld: srun[101] exited with rc=0x1');
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 255, alreadyDone: true };
    host.exit(101);
    host.anchorStopped();
  });
  host.at(600, () => {
    anchorSays('debug:  _catch_sigchld: srun[201] exited with rc=0x3');
    host.exit(201);
    host.anchorGone(200);
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 3, state: { phase: 'exited', exitCode: 3, jobId: 41 } });
  expect(host.calls.filter((c) => c === 'scrun create')).toHaveLength(2);
});

test('an anchor that has not forked srun yet is not taken for stuck (its job is left alone) and is asked to start', async () => {
  container.requestStart();
  const late: Attempt = {
    code: 0,
    setUp(host) {
      host.spawnProc(100, 1, `scrun:${ID}`);
      host.jobs.set(40, { container: ID, steps: false, end: { state: 'RUNNING', finished: false } });
      return 100;
    },
  };
  const host = new FakeHost([late]);
  host.at(500, () => {
    host.spawnProc(101, 100, 'srun');
    host.jobs.get(40)!.steps = true;
  });
  host.at(900, () => host.exit(101));
  host.at(950, () => {
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 5 };
    host.anchorGone(100);
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 5, state: { phase: 'exited', how: 'anchor exited' } });
  expect(host.calls).toEqual(['scrun create', 'scrun start c1']);
});

test('a zombie srun under an anchor that never reaps: its wait status is the code, and the grace ends when the step has', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(500, () => {
    host.exit(101, 3 << 8);
    host.jobs.get(40)!.steps = false;
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 3, state: { phase: 'exited', exitCode: 3, how: 'srun ended, anchor stuck' } });
  // well inside the 2 s grace; then the job is cancelled and the anchor stopped
  expect(r.t).toBeLessThan(1500);
  expect(host.calls).toEqual([
    'scrun create',
    'scancel 40',
    'scrun delete --force c1',
    'kill 101 SIGKILL',
    'kill 100 SIGKILL',
  ]);
  expect(host.procs.size).toBe(0);
});

test('an anchor that never reaps while the controller still lists the step: the 2 s grace, then the job record', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(500, () => {
    host.exit(101);
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 9 };
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 9, state: { how: 'srun ended, anchor stuck' } });
  expect(r.t).toBeGreaterThanOrEqual(2500);
  expect(host.calls).toContain('kill 100 SIGKILL');
});

test('a job that stays COMPLETING already has its code', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(300, () => {
    host.jobs.get(40)!.end = { state: 'COMPLETED,COMPLETING', finished: true, exitCode: 5 };
    host.anchorGone(100);
  });
  expect((await run(host)).code).toBe(5);
});

test('scrun create waiting on a controller that does not answer: stopped after a ping, failed with one line and a hint', async () => {
  container.requestStart();
  // its anchor is up but has no allocation, so no pid file
  const hangs: Attempt = { code: 0, hangs: true, setUp: (h) => (h.spawnProc(100, 1, `scrun:${ID}`), undefined) };
  const host = new FakeHost([hangs]);
  host.down = true;
  const r = await run(host);
  expect(r).toMatchObject({
    code: 1,
    state: {
      phase: 'failed',
      error: 'the Slurm controller does not answer: Slurmctld(primary) at vm is DOWN',
      hint: expect.stringContaining('scontrol ping'),
    },
  });
  // its anchor killed; no job lookups through a controller that does not answer, no second create
  expect(host.calls).toEqual(['scrun create', 'kill 100 SIGKILL']);
  expect(host.procs.size).toBe(0);
  expect(host.jobLookups).toBe(0);
});

test('the controller down after the container ended: 255 and a warning within a bounded wait, not a hang', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(300, () => {
    host.down = true;
    host.anchorGone(100);
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 255, state: { phase: 'exited', exitCode: 255 } });
  expect(r.t).toBeLessThan(30_000);
  expect(logged).toContain(`warning: no Slurm job found for container ${ID}`);
});

test("a first create whose anchor was killed before it reported: tried once more, and the stale job's code is never used", async () => {
  container.requestStart();
  const failed: Attempt = {
    code: 1,
    stderr: 'scrun: fatal: _wait_create_pid: anchor 1 killed by signal 14\n',
    setUp(host) {
      host.jobs.set(40, { container: ID, steps: false, end: { state: 'RUNNING', finished: false } });
      return undefined;
    },
  };
  const host = new FakeHost([failed, started(ID, 200, 41)]);
  host.at(300, () => {
    host.jobs.get(41)!.end = { state: 'FAILED', finished: true, exitCode: 2 };
    host.anchorGone(200);
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 2, state: { phase: 'exited', jobId: 41 } });
  expect(host.calls).toEqual(['scrun create', 'scancel 40', 'scrun create']);
  expect(logged.some((l) => l.startsWith('warning: scrun create failed (exit 1'))).toBe(true);
});

test('an anchor killed before it reported three times: the failure says so, and no job is left', async () => {
  container.requestStart();
  const killed = (job: number): Attempt => ({
    code: 1,
    stderr: 'scrun: fatal: _wait_create_pid: anchor 1 killed by signal 14\n',
    setUp(host) {
      host.jobs.set(job, { container: ID, steps: false, end: { state: 'RUNNING', finished: false } });
      return undefined;
    },
  });
  const host = new FakeHost([killed(40), killed(41), killed(42)]);
  const r = await run(host);
  expect(r).toMatchObject({
    code: 1,
    state: {
      phase: 'failed',
      error: expect.stringMatching(new RegExp(`^scrun create ${ID} failed 3 times: scrun: fatal`)),
    },
  });
  expect(host.calls).toEqual([
    'scrun create',
    'scancel 40',
    'scrun create',
    'scancel 41',
    'scrun create',
    'scancel 42',
  ]);
});

test('a failed create whose job has a step is not retried: the container may have run', async () => {
  container.requestStart();
  const host = new FakeHost([
    {
      code: 1,
      stderr: 'scrun: fatal: _wait_create_pid: anchor 1 killed by signal 14\n',
      setUp(h) {
        h.jobs.set(40, { container: ID, steps: true, end: { state: 'RUNNING', finished: false } });
        return undefined;
      },
    },
  ]);
  const r = await run(host);
  expect(r).toMatchObject({
    code: 1,
    state: {
      phase: 'failed',
      error: `scrun create ${ID} failed: scrun: fatal: _wait_create_pid: anchor 1 killed by signal 14`,
    },
  });
  expect(host.calls.filter((c) => c === 'scrun create')).toHaveLength(1);
  expect(host.calls).toContain('scancel 40');
});

// scrun's own race: its anchor completes the job it just allocated (ESLURM_ALREADY_DONE) and srun,
// already forked, fails to launch the step (exit 1, `job has expired`)
const raced = (id: string, pid: number, job: number, at: number) => ({
  attempt: started(id, pid, job),
  end: (host: FakeHost) =>
    host.at(at, () => {
      host.jobs.get(job)!.end = { state: 'FAILED', finished: true, exitCode: 255, alreadyDone: true };
      host.exit(pid + 1);
      host.anchorGone(pid);
    }),
});

test("scrun completing its job before the container ran: run again, and the raced job's code is never used", async () => {
  container.requestStart();
  const first = raced(ID, 100, 40, 200);
  const host = new FakeHost([first.attempt, started(ID, 200, 41)]);
  first.end(host);
  host.at(600, () => {
    host.jobs.get(41)!.end = { state: 'FAILED', finished: true, exitCode: 3 };
    host.anchorGone(200);
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 3, state: { phase: 'exited', exitCode: 3, jobId: 41, anchor: { pid: 200 } } });
  expect(host.calls).toEqual(['scrun create', 'scrun create']);
  expect(logged).toContain('warning: scrun completed job 40 before the container ran (a scrun race); running it again');
});

test('the race seen as a zombie srun that failed to launch (exit 255): the job record tells, and it runs again', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40), started(ID, 200, 41)]);
  host.cmdlines.set(101, ['srun', '--jobid', '40']);
  host.at(200, () => {
    host.jobs.get(40)!.end = { state: 'FAILED', finished: true, exitCode: 255, alreadyDone: true };
    host.exit(101, 255 << 8); // the anchor never reaps it
  });
  host.at(3000, () => host.anchorGone(100));
  host.at(3500, () => {
    host.jobs.get(41)!.end = { state: 'FAILED', finished: true, exitCode: 4 };
    host.anchorGone(200);
  });
  const r = await run(host);
  expect(r).toMatchObject({ code: 4, state: { phase: 'exited', jobId: 41 } });
  expect(host.calls.filter((c) => c === 'scrun create')).toHaveLength(2);
});

test('the race every time: three runs, then the failure is reported, not hidden', async () => {
  container.requestStart();
  const runs = [raced(ID, 100, 40, 200), raced(ID, 200, 41, 600), raced(ID, 300, 42, 1000)];
  const host = new FakeHost(runs.map((r) => r.attempt));
  for (const r of runs) r.end(host);
  const r = await run(host);
  expect(r).toMatchObject({ code: 255, state: { phase: 'exited', exitCode: 255, jobId: 42 } });
  expect(host.calls.filter((c) => c === 'scrun create')).toHaveLength(3);
});

test('a job its user cancelled is never run again', async () => {
  container.requestStart();
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(200, () => {
    host.jobs.get(40)!.end = { state: 'CANCELLED', finished: true, exitCode: 255, alreadyDone: true };
    host.anchorGone(100);
  });
  expect((await run(host)).code).toBe(255);
  expect(host.calls.filter((c) => c === 'scrun create')).toHaveLength(1);
});

test('a container signalled while it ran is never run again', async () => {
  container.requestStart();
  const stop = new AbortController();
  const signalled = raced(ID, 100, 40, 200);
  const host = new FakeHost([signalled.attempt]);
  host.at(100, () => stop.abort());
  signalled.end(host);
  expect((await run(host, undefined, stop.signal)).code).toBe(255);
  expect(host.calls.filter((c) => c === 'scrun create')).toHaveLength(1);
});

test('scrun create failing for a missing oci.conf: failed, with the hint', async () => {
  container.requestStart();
  const host = new FakeHost([{ code: 1, stderr: 'scrun: fatal: unable to open /etc/slurm/oci.conf\n' }]);
  const r = await run(host);
  expect(r.state).toMatchObject({ phase: 'failed', hint: expect.stringMatching(/slurm-oci generate oci-conf/) });
  expect(host.calls).toEqual(['scrun create']);
});

test('stopped before start: no scrun at all', async () => {
  const abort = new AbortController();
  const host = new FakeHost([]);
  setTimeout(() => abort.abort(), 50);
  const r = await run(host, abort.signal);
  expect(r).toMatchObject({ code: 143, state: { phase: 'exited', how: 'stopped before start' } });
  expect(host.calls).toEqual([]);
});

test('the start request wakes the supervisor through inotify, not a poll', async () => {
  const host = new FakeHost([started(ID, 100, 40)]);
  host.at(100, () => {
    host.jobs.get(40)!.end = { state: 'COMPLETED', finished: true, exitCode: 0 };
    host.anchorGone(100);
  });
  const t0 = Date.now();
  setTimeout(() => container.requestStart(), 20);
  const r = await run(host);
  expect(r.code).toBe(0);
  // the fallback check runs once a second; the event comes at once
  expect(Date.now() - t0).toBeLessThan(500);
});

test('the state machine refuses a transition it does not have', () => {
  container.transition('start-requested');
  container.transition('running', { anchor: { pid: 1 } });
  expect(() => container.transition('created')).toThrow(/no transition running → created/);
  container.transition('exited', { exitCode: 0 });
  expect(() => container.transition('running')).toThrow(/no transition exited → running/);
});
