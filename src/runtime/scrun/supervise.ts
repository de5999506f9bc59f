// The process Podman/conmon waits on for a scrun container. It waits for `start` (scrun runs the
// container's process already at `scrun create`), runs scrun create and start, then watches the
// anchor, its srun and the Slurm job, and exits with the container's exit code as soon as the
// container has ended — also when the anchor hangs on an unreaped srun (seen on Slurm 24.11),
// which it then cleans up.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.js';
import { configureLog, log } from '../log.js';
import { Store, type ContainerRecord } from '../store.js';
import { capture } from '../spawn.js';
import { readFile, writeFile } from './files.js';
import { childrenOf, isAlive, procStat, waitStatusToCode } from './proc.js';
import { findJob, hasSteps, jobEnd } from './slurm.js';
import { scrunGlobals, stopAnchorAndJob } from './stop.js';

// How long the anchor may sit with no live srun before we call the container ended.
const SRUN_GONE_GRACE_MS = 2_000;
const POLL_MS = 100;
const JOB_POLL_MS = 5_000;
const CREATE_ATTEMPTS = 2;

// Hints for scrun create failures users meet first.
function hintFor(stderr: string): string | undefined {
  if (/oci\.conf/i.test(stderr)) return 'scrun needs oci.conf next to slurm.conf on this host (`slurm-oci generate oci-conf`)';
  if (/scrun\.lua/i.test(stderr)) return 'scrun needs scrun.lua next to slurm.conf (`slurm-oci generate scrun-lua`)';
  if (/Unable to contact|Connection refused|Zero Bytes/i.test(stderr)) return 'the Slurm controller does not answer: check `scontrol ping`';
  return undefined;
}

// Runs scrun create; resolves with its exit status and what it printed on stderr.
async function scrunCreate(ctx: Context, record: ContainerRecord, dir: string, abort: AbortSignal) {
  const { options } = readFile(dir, 'create')!;
  fs.mkdirSync(record.backendRoot, { recursive: true, mode: 0o700 });
  const args = [
    ...scrunGlobals(ctx, record), '--log', path.join(dir, 'scrun.log'), '--log-format', 'json',
    'create', '--bundle', record.bundle, '--pid-file', path.join(dir, 'anchor.pid'),
    ...(options.consoleSocket ? ['--console-socket', options.consoleSocket] : []), record.id,
  ];
  // stderr is a pipe so that scrun's errors become one clear line; the anchor inherits it and
  // writes the container's stderr there, which is passed on once create has succeeded.
  const child = spawn(record.binary, args, { stdio: ['inherit', 'inherit', 'pipe'] });
  let stderr = '';
  let created = false;
  child.stderr!.on('data', (chunk: Buffer) => (created ? process.stderr.write(chunk) : (stderr += chunk.toString())));
  abort.addEventListener('abort', () => child.kill('SIGTERM'));
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 143)));
  created = code === 0;
  return { code, stderr };
}

// Watches until the container has ended; returns the exit code srun left (if seen) and how.
async function watch(record: ContainerRecord, anchor: { pid: number; start?: number; jobId?: number }) {
  let srunCode: number | undefined;
  let noSrunSince: number | undefined;
  let nextJobPoll = Date.now() + JOB_POLL_MS;
  for (;;) {
    if (!isAlive(anchor.pid, anchor.start)) return { srunCode, how: 'anchor exited' };
    const children = childrenOf(anchor.pid);
    for (const z of children.filter((c) => c.comm === 'srun' && c.state === 'Z')) {
      srunCode = waitStatusToCode(z.exitCode);
      log('debug', `srun ${z.pid} is a zombie with wait status ${z.exitCode}`);
    }
    // any live child counts: the anchor's fork is named scrun:ID, then sh, before it execs srun,
    // which under load can take longer than the grace period
    if (children.some((c) => c.state !== 'Z')) noSrunSince = undefined;
    else if ((noSrunSince ??= Date.now()) + SRUN_GONE_GRACE_MS < Date.now()) return { srunCode, how: 'srun ended, anchor stuck' };
    if (anchor.jobId && record.slurm && Date.now() > nextJobPoll) {
      nextJobPoll = Date.now() + JOB_POLL_MS;
      if (jobEnd(record.slurm, anchor.jobId)?.finished) return { srunCode, how: 'job ended' };
    }
    await sleep(POLL_MS);
  }
}

// The job scrun allocated for the container, asking the controller a few times (it may be busy);
// STALE are jobs of failed create attempts.
async function jobOf(record: ContainerRecord, stale: ReadonlySet<number>): Promise<number | undefined> {
  for (let i = 0; i < 5 && record.slurm; i++) {
    const jobId = findJob(record.slurm, record.id, stale);
    if (jobId) return jobId;
    await sleep(1000);
  }
  log('warning', `no Slurm job found for container ${record.id}`);
  return undefined;
}

// The container's exit code from the job record, waiting up to 20 s for the controller to settle.
async function jobExitCode(record: ContainerRecord, known: number | undefined, stale: ReadonlySet<number>): Promise<number | undefined> {
  const jobId = known ?? (await jobOf(record, stale));
  if (!jobId || !record.slurm) return undefined;
  for (let i = 0; i < 40; i++) {
    const end = jobEnd(record.slurm, jobId);
    if (end?.finished) {
      log('debug', `job ${jobId} ended ${end.state}, exit code ${end.exitCode}`);
      return end.exitCode;
    }
    if (i === 0) log('debug', `job ${jobId} is ${end?.state ?? 'not known to scontrol'}; waiting for it to end`);
    await sleep(500);
  }
  return undefined;
}

// Waits for `start` (or a signal); true when the container should run.
async function startRequested(dir: string, abort: AbortSignal): Promise<boolean> {
  while (!abort.aborted) {
    if (readFile(dir, 'start-request')) return true;
    await sleep(POLL_MS);
  }
  return false;
}

// The supervisor's whole life; returns its exit code (the container's).
export async function supervise(dir: string): Promise<number> {
  const store = new Store(path.resolve(dir, '../..'));
  const record = JSON.parse(fs.readFileSync(path.join(dir, 'record.json'), 'utf8')) as ContainerRecord;
  const { globals } = readFile(dir, 'create')!;
  const ctx: Context = { globals, store };
  configureLog({ file: path.join(dir, 'supervisor.log'), format: 'text', debug: true, echo: false });
  writeFile(dir, 'supervisor', { pid: process.pid, start: procStat(process.pid)!.start });
  // tell `create` we exist; it hands our pid to Podman
  try {
    fs.writeSync(3, `${process.pid}\n`);
    fs.closeSync(3);
  } catch {
    return 1; // create is gone
  }

  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!readFile(dir, 'anchor')) abort.abort();
    else capture(record.binary, [...scrunGlobals(ctx, record), 'kill', record.id, signal], 30_000);
  };
  process.on('SIGTERM', onSignal).on('SIGINT', onSignal).on('SIGHUP', onSignal);

  if (!(await startRequested(dir, abort.signal))) {
    writeFile(dir, 'exit', { exitCode: 143, how: 'stopped before start' });
    return 143;
  }
  log('info', 'start requested: running scrun create');
  let created: { code: number; stderr: string };
  let anchorPid: number | undefined;
  let jobId: number | undefined;
  const stale = new Set<number>();
  for (let attempt = 1; ; attempt++) {
    created = await scrunCreate(ctx, record, dir, abort.signal);
    anchorPid = Number(fs.readFileSync(path.join(dir, 'anchor.pid'), { encoding: 'utf8', flag: 'a+' }).trim()) || undefined;
    jobId = created.code === 0 && anchorPid ? await jobOf(record, stale) : record.slurm && findJob(record.slurm, record.id, stale);
    if ((created.code === 0 && anchorPid) || abort.signal.aborted) break;
    // under load scrun's anchor sometimes dies before it reports (`killed by signal 14`, or create
    // exits 0 with no pid); once more is safe as long as no step, i.e. no process, has started.
    // Asked before the job is cancelled: a second after, its steps are no longer listed.
    const mayHaveRun = !!jobId && !!record.slurm && hasSteps(record.slurm, jobId);
    await stopAnchorAndJob(ctx, record, anchorPid ? { pid: anchorPid } : undefined, jobId);
    if (attempt >= CREATE_ATTEMPTS || mayHaveRun || !/killed by signal|^$/.test(created.stderr.trim().split('\n').pop() ?? '')) break;
    log('warning', `scrun create failed (exit ${created.code}: ${created.stderr.trim()}); trying once more`);
    if (jobId) stale.add(jobId);
    fs.rmSync(path.join(dir, 'anchor.pid'), { force: true });
  }
  if (created.code !== 0 || abort.signal.aborted || !anchorPid) {
    await stopAnchorAndJob(ctx, record, anchorPid ? { pid: anchorPid } : undefined, jobId);
    const why = abort.signal.aborted
      ? 'interrupted; the Slurm allocation was cancelled'
      : (created.stderr.trim().split('\n').filter(Boolean).pop() ?? `scrun create exited ${created.code} without starting its anchor`);
    log('error', `scrun create failed (exit ${created.code}): ${created.stderr}`);
    writeFile(dir, 'failed', { error: `scrun create ${record.id} failed: ${why}`, hint: hintFor(created.stderr) });
    writeFile(dir, 'exit', { exitCode: 1, how: 'scrun create failed' });
    return 1;
  }
  // no start time when /proc could not be read: then the pid alone identifies it (never 0, which
  // would make the anchor look gone and leave it running)
  const anchor = { pid: anchorPid, start: procStat(anchorPid)?.start, jobId };
  writeFile(dir, 'anchor', anchor);
  log('info', `created: anchor ${anchorPid}, job ${jobId ?? 'unknown'}`);
  // scrun 24.11 already started the process at create; a later scrun that waits needs start
  const started = capture(record.binary, [...scrunGlobals(ctx, record), 'start', record.id], 60_000);
  if (started.code !== 0) log('debug', `scrun start: ${started.stderr.trim()} (the process was started by create)`);

  const seen = await watch(record, anchor);
  const exitCode = seen.srunCode ?? (await jobExitCode(record, jobId, stale)) ?? 255;
  log('info', `container ended (${seen.how}), exit code ${exitCode}`);
  await stopAnchorAndJob(ctx, record, anchor, jobId);
  writeFile(dir, 'exit', { exitCode, how: seen.how });
  return exitCode;
}
