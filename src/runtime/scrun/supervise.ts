// The process Podman/conmon waits on for a scrun container. It waits for `start` (scrun runs the
// container's process already at `scrun create`), runs scrun create (and start, if it waits for
// one), then waits for the anchor and srun to end, and exits with the container's exit code as
// soon as the container has ended — also when the anchor hangs on an unreaped srun (seen on Slurm
// 24.11), which it then cleans up. It wakes on events: the start request (inotify), the anchor's
// removal of its pid file (it has completed the job: the container ended, whether or not the
// anchor then exits) and the end of the pipe the anchor and srun inherit; /proc and the controller
// are only asked as a fallback for an anchor stuck on an unreaped srun.
import path from 'node:path';
import type { Globals } from '../context.js';
import { createLog, type Log } from '../log.js';
import { Store, type ContainerRecord } from '../store.js';
import { ScrunContainer, type ProcRef } from './container.js';
import type { Hand } from '../io.js';
import { handHost, isAlive, lastLine, realHost, type ScrunHost } from './host.js';
import { jobIdArg, waitStatusToCode } from './proc.js';
import type { JobEnd } from './slurm.js';
import { readAnchorLog } from './anchor-log.js';
import { scrunGlobals, stopAnchorAndJob } from './stop.js';

// How long the anchor may sit with no live srun before we call the container ended (unless the
// job record says the step ended first).
const SRUN_GONE_GRACE_MS = 2_000;
// How often a live anchor's children are looked at: only to catch a stuck anchor, since its
// normal exit wakes us at once.
const CHECK_MS = 250;
// How long after scrun create its anchor may have forked no srun before we ask scrun to start.
const START_CHECK_MS = 50;
const JOB_CHECK_MS = 5_000;
// How long the controller gets to report how the job ended, when srun's status was not seen.
const JOB_END_WAIT_MS = 20_000;
const CREATE_ATTEMPTS = 3;
// How long scrun create may take before the controller is pinged.
const CONTROLLER_CHECK_MS = 1_000;
// scrun (24.11 up to today's master) can complete its own job right after allocating it: when the
// allocation is back before the create pipe's connection is set up, that connection marks the
// container created and srun starts; the allocation check queued before then finds it running and
// bails with ESLURM_ALREADY_DONE (anchor.c _on_startup_con, alloc.c check_allocation). srun fails
// (`job has expired`, `Invalid job credential`), and nothing ran, not even scrun.lua's stage-in: the
// container is run again. Seen in 1 to 3 runs of 60 on a loaded node.
const RACE_ATTEMPTS = 3;

export type Supervision = {
  container: ScrunContainer;
  record: ContainerRecord;
  globals: Pick<Globals, 'debug'>;
  host: ScrunHost;
  log: Log;
  // fired by a signal before the container runs: the supervisor then stops
  abort: AbortSignal;
  // fired by a signal while it runs: the container is not run again after scrun's race
  stopped: AbortSignal;
  // the container's stderr (scrun create's, once it succeeded)
  stderr: (chunk: Buffer) => void;
};

// Hints for scrun create failures users meet first.
function hintFor(stderr: string): string | undefined {
  if (/oci\.conf/i.test(stderr))
    return 'scrun needs oci.conf next to slurm.conf on this host (`slurm-oci generate oci-conf`)';
  if (/scrun\.lua/i.test(stderr)) return 'scrun needs scrun.lua next to slurm.conf (`slurm-oci generate scrun-lua`)';
  if (/Unable to contact|Connection refused|Zero Bytes/i.test(stderr))
    return 'the Slurm controller does not answer: check `scontrol ping`';
  return undefined;
}

// The job scrun allocated for the container, asking the controller a few times (it may be busy);
// STALE are jobs of failed create attempts.
async function jobOf(s: Supervision, stale: ReadonlySet<number>): Promise<number | undefined> {
  for (let i = 0; i < 5; i++) {
    const jobId = await s.host.findJob(s.record.id, stale);
    if (jobId) return jobId;
    await s.host.sleep(1000);
  }
  s.log('warning', `no Slurm job found for container ${s.record.id}`);
  return undefined;
}

// The job's record once it has finished, waiting for the controller to settle (a job in COMPLETING
// already has its code; a controller that does not answer gets JOB_END_WAIT_MS).
async function finishedJob(s: Supervision, jobId: number | undefined): Promise<JobEnd | undefined> {
  if (!jobId) return undefined;
  for (const end = s.host.now() + JOB_END_WAIT_MS; ; await s.host.sleep(250)) {
    const job = await s.host.jobEnd(jobId);
    if (job?.finished) {
      s.log('debug', `job ${jobId} ended ${job.state}, exit code ${job.exitCode}`);
      return job;
    }
    if (s.host.now() > end) {
      s.log(
        'warning',
        `job ${jobId} is ${job?.state ?? 'not known to the controller'} after ${JOB_END_WAIT_MS / 1000} s`,
      );
      return undefined;
    }
  }
}

// The job's record if it has finished by now.
async function finishedNow(s: Supervision, jobId: number | undefined): Promise<JobEnd | undefined> {
  const job = jobId ? await s.host.jobEnd(jobId) : undefined;
  return job?.finished ? job : undefined;
}

type Created = {
  code: number;
  stderr: string;
  anchorPid?: number;
  gone: Promise<void>;
  jobId?: number;
  // the controller did not answer scontrol ping while scrun create waited: why
  down?: string;
  // how many times scrun create ran
  attempts?: number;
};

// One scrun create run. One that has not ended after CONTROLLER_CHECK_MS (the allocation may be
// queued) gets the controller pinged; a controller that does not answer ends it then, instead of
// after scrun's own retries (~30 s). The usual create costs the controller no ping.
async function createRun(s: Supervision, args: string[]): Promise<Omit<Created, 'anchorPid'>> {
  const stop = new AbortController();
  const run = s.host.scrunCreate(args, AbortSignal.any([s.abort, stop.signal]), s.stderr);
  const ended = new AbortController();
  let down: string | undefined;
  void s.host.controllerDown(CONTROLLER_CHECK_MS, ended.signal).then((why) => {
    if (why === undefined) return;
    down = why;
    stop.abort();
  });
  const { code, stderr } = await run.exited;
  ended.abort();
  return { code, stderr, gone: run.gone, down };
}

// scrun create, again (up to CREATE_ATTEMPTS) when the anchor died before it reported and no
// process can have run.
async function create(s: Supervision, pidFile: AnchorPidFile, stale: Set<number>): Promise<Created> {
  const { container, record, host } = s;
  const options = container.input()!.options;
  const args = [
    ...scrunGlobals(s.globals, record),
    '--log',
    container.scrunLog,
    '--log-format',
    'json',
    'create',
    '--bundle',
    record.bundle,
    '--pid-file',
    container.anchorPidFile,
    ...(options.consoleSocket ? ['--console-socket', options.consoleSocket] : []),
    record.id,
  ];
  for (let attempt = 1; ; attempt++) {
    const run = await createRun(s, args);
    const { code, stderr } = run;
    const anchorPid = pidFile.read();
    if ((code === 0 && anchorPid) || s.abort.aborted) return { ...run, anchorPid };
    // no job can be asked about (or cancelled) through a controller that does not answer
    if (run.down) return { ...run, code: 1, anchorPid: undefined };
    // under load scrun's anchor sometimes dies before it reports (`killed by signal 14`: its
    // conmgr's timer can fire before its SIGALRM handler is set, or create exits 0 with no pid);
    // again is safe as long as no step, i.e. no process, has started.
    // Asked before the job is cancelled: a second after, its steps are no longer listed.
    const jobId = await host.findJob(record.id, stale);
    const mayHaveRun = !!jobId && (await host.hasSteps(jobId));
    await stopAnchorAndJob(host, s.globals, record, anchorPid ? { pid: anchorPid } : undefined, jobId);
    if (attempt >= CREATE_ATTEMPTS || mayHaveRun || !/killed by signal|^$/.test(lastLine(stderr))) {
      return { code: code || 1, stderr, anchorPid: undefined, gone: run.gone, jobId, attempts: attempt };
    }
    s.log(
      'warning',
      `scrun create failed (exit ${code}: ${stderr.trim()}); trying again (${attempt + 1} of ${CREATE_ATTEMPTS})`,
    );
    if (jobId) stale.add(jobId);
    pidFile.clear();
  }
}

// What watch asks of its caller: scrun start, the container's job (asking the controller), and
// noting the job id read off srun's command line.
type WatchCalls = {
  start: () => Promise<void>;
  jobOfNow: () => Promise<number | undefined>;
  sawJob: (id: number) => void;
};

// Waits until the container has ended; returns the exit code srun left (if seen) and how.
// The job is read off srun's command line while it runs (SAW_JOB): asking the controller costs more.
async function watch(
  s: Supervision,
  anchor: { pid: number; start?: number },
  gone: Promise<void>,
  pidFile: AnchorPidFile,
  { start, jobOfNow, sawJob }: WatchCalls,
) {
  const { host } = s;
  let ended = false;
  void gone.then(() => (ended = true));
  let wake = () => {};
  const unwatch = pidFile.watch(() => wake());
  let srunCode: number | undefined;
  let noSrunSince: number | undefined;
  let nextJobCheck = host.now() + JOB_CHECK_MS;
  // The anchor forks srun a moment after create returns; until then its having no child (and
  // the job no step) says nothing: cancelling then made srun fail (`Job/step already completing`).
  const since = host.now();
  let sawChild = false;
  let startAsked = false;
  try {
    for (;;) {
      const changed = new Promise<void>((resolve) => (wake = resolve));
      if (!isAlive(host, anchor.pid, anchor.start)) return { srunCode, how: 'anchor exited' };
      const children = host.children(anchor.pid);
      for (const z of children.filter((c) => c.comm === 'srun' && c.state === 'Z')) {
        srunCode = waitStatusToCode(z.exitCode);
        s.log('debug', `srun ${z.pid} is a zombie with wait status ${z.exitCode}`);
      }
      // any live child counts: the anchor's fork is named scrun:ID, then sh, before it execs srun
      const live = children.filter((c) => c.state !== 'Z');
      for (const c of live.filter((c) => c.comm === 'srun')) {
        const jobId = jobIdArg(host.cmdline(c.pid));
        if (jobId) sawJob(jobId);
      }
      sawChild ||= children.length > 0;
      if (!sawChild && !startAsked && host.now() >= since + START_CHECK_MS) {
        startAsked = true;
        await start();
      }
      if (pidFile.read() === undefined) return { srunCode, how: 'anchor stopped' };
      if (live.length) noSrunSince = undefined;
      else if (sawChild || host.now() > since + SRUN_GONE_GRACE_MS) {
        noSrunSince ??= host.now();
        if (noSrunSince + SRUN_GONE_GRACE_MS < host.now()) return { srunCode, how: 'srun ended, anchor stuck' };
        // the grace ends as soon as the controller says the container's step is over
        const jobId = await jobOfNow();
        if (jobId && !(await host.hasSteps(jobId))) return { srunCode, how: 'srun ended, anchor stuck' };
      }
      if (host.now() > nextJobCheck) {
        nextJobCheck = host.now() + JOB_CHECK_MS;
        const jobId = await jobOfNow();
        if (jobId && (await host.jobEnd(jobId))?.finished) return { srunCode, how: 'job ended' };
      }
      // soon after create, until srun shows or start was asked; once the pipe closed, the anchor's
      // exit is moments away
      const wait = ended ? CHECK_MS / 5 : sawChild || startAsked ? CHECK_MS : START_CHECK_MS;
      await Promise.race([changed, host.sleep(wait), ...(ended ? [] : [gone])]);
    }
  } finally {
    unwatch();
  }
}

// scrun's --pid-file: the anchor writes it once created and removes (or empties) it once it has
// stopped; WATCH calls back on changes to it.
export type AnchorPidFile = { read(): number | undefined; clear(): void; watch(onChange: () => void): () => void };

// The supervisor's whole life; returns its exit code (the container's).
export async function supervise(s: Supervision, anchorPidFile: AnchorPidFile): Promise<number> {
  const { container, log } = s;
  const requested = await container.waitFor(() => (container.startRequested() ? true : undefined), s.abort);
  if (!requested) {
    container.transition('exited', { exitCode: 143, how: 'stopped before start', cleaned: true });
    return 143;
  }
  container.transition('start-requested');
  log('info', 'start requested: running scrun create');
  const stale = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    const ran = await runOnce(s, anchorPidFile, stale);
    if (ran.raced && attempt < RACE_ATTEMPTS && !s.stopped.aborted) {
      log('warning', `scrun completed job ${ran.jobId} before the container ran (a scrun race); running it again`);
      await stopAnchorAndJob(s.host, s.globals, s.record, ran.anchor, ran.jobId, { finished: true });
      stale.add(ran.jobId!);
      anchorPidFile.clear();
      continue;
    }
    if (ran.anchor)
      await stopAnchorAndJob(s.host, s.globals, s.record, ran.anchor, ran.jobId, {
        finished: ran.jobFinished,
        stopped: ran.anchorStopped,
      });
    if (ran.failed) {
      container.transition('failed', { ...ran.failed, exitCode: 1, cleaned: true });
      return 1;
    }
    log('info', `container ended (${ran.how}), exit code ${ran.exitCode}`);
    container.transition('exited', { exitCode: ran.exitCode, how: ran.how, cleaned: true });
    return ran.exitCode;
  }
}

type Ran = {
  exitCode: number;
  how?: string;
  anchor?: ProcRef;
  jobId?: number;
  // the job has finished (it gave its code, or the anchor completed it): no need to ask again
  jobFinished?: boolean;
  // the anchor removed its pid file: it staged out and completed the job, only its exit is left
  anchorStopped?: boolean;
  raced?: boolean;
  failed?: { error: string; hint?: string };
};

// One scrun create and start, watched to the container's end; cleans up only a failed create.
async function runOnce(s: Supervision, anchorPidFile: AnchorPidFile, stale: Set<number>): Promise<Ran> {
  const { container, record, host, log } = s;
  const logFrom = container.scrunLogSize();
  const created = await create(s, anchorPidFile, stale);
  if (created.down && !s.abort.aborted) {
    // its anchor would go on trying for half a minute; it may not have written its pid yet
    for (const pid of host.anchorsOf(record.id)) host.kill(pid, 'SIGKILL');
    log('error', `scrun create stopped: the Slurm controller does not answer: ${created.down}`);
    return {
      exitCode: 1,
      failed: {
        error: `the Slurm controller does not answer: ${created.down}`,
        hint: 'check `scontrol ping` and SLURM_CONF, or run the container locally with --backend crun',
      },
    };
  }
  if (created.code !== 0 || s.abort.aborted || !created.anchorPid) {
    const jobId = created.jobId ?? (await host.findJob(record.id, stale));
    await stopAnchorAndJob(host, s.globals, record, created.anchorPid ? { pid: created.anchorPid } : undefined, jobId);
    const why = s.abort.aborted
      ? 'interrupted; the Slurm allocation was cancelled'
      : lastLine(created.stderr) || `scrun create exited ${created.code} without starting its anchor`;
    log('error', `scrun create failed (exit ${created.code}): ${created.stderr}`);
    return {
      exitCode: 1,
      failed: {
        error: `scrun create ${record.id} failed${(created.attempts ?? 1) > 1 ? ` ${created.attempts} times` : ''}: ${why}`,
        hint: hintFor(created.stderr),
      },
    };
  }
  // no start time when /proc could not be read: then the pid alone identifies it (never 0, which
  // would make the anchor look gone and leave it running)
  const anchor = { pid: created.anchorPid, start: host.stat(created.anchorPid)?.start };
  if (container.read()?.phase === 'running') container.note({ anchor, jobId: undefined });
  else container.transition('running', { anchor });
  log('info', `created: anchor ${anchor.pid}`);
  // scrun (24.11 up to today's master) starts the process at create already (anchor.c
  // _on_startup_con_fin); a scrun that waits for start gets it when its anchor has forked nothing
  // for START_CHECK_MS. An unneeded start would cost a run of scrun while the container starts.
  const start = async () => {
    log('debug', `no srun ${START_CHECK_MS} ms after scrun create: running scrun start`);
    const started = await host.scrun([...scrunGlobals(s.globals, record), 'start', record.id], 60_000);
    if (started.code !== 0) log('warning', `scrun start ${record.id}: ${lastLine(started.stderr)}`);
  };

  let jobId: number | undefined;
  const jobOfNow = async () => {
    if (jobId === undefined) {
      jobId = await jobOf(s, stale);
      if (jobId) container.note({ jobId });
    }
    return jobId;
  };
  const sawJob = (id: number) => {
    if (jobId === undefined) container.note({ jobId: (jobId = id) });
  };
  const seen = await watch(s, anchor, created.gone, anchorPidFile, { start, jobOfNow, sawJob });
  // srun's end: its wait status when we saw it as a zombie, else as the anchor logged it; failing
  // both, the controller's record of the job. A failed srun may be scrun's race (its step never
  // launched), which the anchor logs; without that log, one look at the record, without waiting (an
  // anchor stuck on a zombie srun may not have completed the job yet).
  const logged = readAnchorLog(container.scrunLogSince(logFrom));
  const srunCode = seen.srunCode ?? logged.srunCode;
  const job =
    srunCode === undefined
      ? await finishedJob(s, await jobOfNow())
      : srunCode !== 0 && (logged.bailed || logged.srunCode === undefined)
        ? await finishedNow(s, await jobOfNow())
        : undefined;
  const exitCode = srunCode ?? job?.exitCode ?? 255;
  const raced = !!job?.alreadyDone && !/^CANCELLED/.test(job.state);
  const anchorStopped = anchorPidFile.read() === undefined;
  return {
    exitCode,
    how: seen.how,
    anchor,
    jobId: anchorStopped && !raced ? jobId : await jobOfNow(),
    jobFinished: !!job || anchorStopped,
    anchorStopped,
    raced,
  };
}

// Supervises the container ID of the store at ROOT to its end; returns its exit code. Either this
// process is the supervisor (`scrun-supervisor ROOT ID`, started by the CLI's create), or the
// runtime server supervises through HAND, the caller's process that stands for the container.
export async function supervisorMain(root: string, id: string, hand?: Hand): Promise<number> {
  const store = new Store(root);
  const record = store.load(id);
  const container = new ScrunContainer(store.dir(id));
  const { globals } = container.input()!;
  const log = createLog({ file: container.supervisorLog, format: 'text', debug: true, echo: false }, () => {});
  const host = hand ? handHost(record, hand) : realHost(record);
  const abort = new AbortController();
  const stopped = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    const phase = container.read()?.phase;
    log('info', `${signal} while ${phase}`);
    if (phase === 'running') {
      stopped.abort();
      void host.scrun([...scrunGlobals(globals, record), 'kill', record.id, signal], 30_000);
    } else abort.abort();
  };
  const stopSignals = hand ? hand.onSignal(onSignal) : onProcessSignals(onSignal);
  // a hand killed before the container ran: nothing stands for it any more
  void hand?.closed.then(() => abort.abort());
  const anchorPidFile: AnchorPidFile = {
    read: () => container.anchorPid(),
    clear: () => container.clearAnchorPid(),
    // a change to the pid file (or an unnamed one)
    watch: (onChange) =>
      container.watch((name) => (name === null || name === path.basename(container.anchorPidFile)) && onChange()),
  };
  const stderr = hand ? hand.stderr : (chunk: Buffer) => void process.stderr.write(chunk);
  try {
    return await supervise(
      { container, record, globals, host, log, abort: abort.signal, stopped: stopped.signal, stderr },
      anchorPidFile,
    );
  } catch (error) {
    log('error', `supervisor failed: ${(error as Error).stack ?? error}`);
    return 255;
  } finally {
    stopSignals();
  }
}

function onProcessSignals(handler: (signal: NodeJS.Signals) => void): () => void {
  process.on('SIGTERM', handler).on('SIGINT', handler).on('SIGHUP', handler);
  return () => void process.off('SIGTERM', handler).off('SIGINT', handler).off('SIGHUP', handler);
}
