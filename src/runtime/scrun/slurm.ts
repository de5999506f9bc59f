// The Slurm commands the scrun backend needs besides scrun: find a container's job, read how it
// ended, cancel it. Resolved to absolute paths at create (later calls may have no PATH).
import { CliError } from '../../errors.js';
import { which } from '../../util/which.js';
import { captureAsync, type Captured } from '../spawn.js';
import type { ContainerRecord } from '../store.js';

export type SlurmCommands = NonNullable<ContainerRecord['slurm']>;
// alreadyDone: scrun's anchor completed the job with ESLURM_ALREADY_DONE, which it does only when its
// check of the allocation bails, before the container's step may start (see supervise.ts).
export type JobEnd = { state: string; finished: boolean; exitCode?: number; alreadyDone?: boolean };

// ESLURM_ALREADY_DONE (2021) passed on as a wait status: signal 101.
const ALREADY_DONE_SIGNAL = 2021 & 0x7f;
const FINISHED = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)/;

// Absolute paths of squeue, scontrol and scancel, or an error saying which is missing.
export function slurmCommands(paths: Record<string, string>, env: NodeJS.ProcessEnv): SlurmCommands {
  const found = Object.fromEntries(['squeue', 'scontrol', 'scancel'].map((n) => [n, which(n, paths, env)]));
  const missing = Object.keys(found).filter((n) => !found[n]);
  if (missing.length) {
    throw new CliError(
      `the scrun backend needs ${missing.join(', ')}, not found`,
      1,
      'install the Slurm client commands',
    );
  }
  return found as SlurmCommands;
}

// The id of the job scrun allocated for container ID: the newest one known to the controller that
// is not in STALE. Finished jobs stay listed for minutes, among them those of an earlier container of
// the same name and of a scrun create that failed and was retried: the first one listed was one of
// those in the runs that came back 0 instead of the container's code.
export async function findJob(
  slurm: SlurmCommands,
  id: string,
  stale: ReadonlySet<number>,
  env: NodeJS.ProcessEnv,
): Promise<number | undefined> {
  const r = await captureAsync(slurm.squeue, ['-h', '-a', '-t', 'all', '-O', 'JobID:|,ContainerId:'], 15_000, env);
  return newestJob(r.stdout, id, stale);
}

// The highest job id that squeue's `JobID|ContainerId` lines give for container ID, leaving out STALE.
export function newestJob(lines: string, id: string, stale: ReadonlySet<number>): number | undefined {
  const ids = lines
    .split('\n')
    .map((line) => line.split('|').map((s) => s.trim()))
    .filter(([job, container]) => container === id && /^\d+$/.test(job ?? ''))
    .map(([job]) => Number(job))
    .filter((job) => !stale.has(job));
  return ids.length ? Math.max(...ids) : undefined;
}

// The job's state and, once it has finished, the exit code its container left (128+n for signal n).
export async function jobEnd(slurm: SlurmCommands, jobId: number, env: NodeJS.ProcessEnv): Promise<JobEnd | undefined> {
  const r = await captureAsync(slurm.scontrol, ['show', 'job', String(jobId), '--json'], 15_000, env);
  return r.code === 0 ? parseJobEnd(r.stdout) : undefined;
}

type Code = { return_code?: { number?: number; set?: boolean }; signal?: { id?: { number?: number; set?: boolean } } };
type Job = { job_state?: string[]; exit_code?: Code; derived_exit_code?: Code };

// jobEnd on the output of `scontrol show job ID --json`.
export function parseJobEnd(json: string): JobEnd | undefined {
  let job: Job | undefined;
  try {
    job = (JSON.parse(json) as { jobs?: Job[] }).jobs?.[0];
  } catch {
    return undefined;
  }
  if (!job) return undefined;
  const state = (job.job_state ?? []).join(',');
  const finished = FINISHED.test(state);
  if (!finished) return { state, finished, exitCode: undefined };
  const alreadyDone = job.exit_code?.signal?.id?.set === true && job.exit_code.signal.id.number === ALREADY_DONE_SIGNAL;
  return { state, finished, exitCode: containerCode(job), ...(alreadyDone ? { alreadyDone } : {}) };
}

// A job's exit code as a shell exit code; undefined when it is no wait status: scrun's anchor passes
// Slurm error numbers on as its srun status (ESLURM_ALREADY_DONE, 2021, reads as signal 101).
function shellCode(code: Code | undefined): number | undefined {
  const signal = code?.signal?.id?.set ? (code.signal.id.number ?? 0) : 0;
  if (signal > 64) return undefined;
  return signal ? 128 + signal : (code?.return_code?.number ?? 0);
}

// The container's code from both of the job's: derived_exit_code is the highest of its steps' (the
// container's, once slurmstepd's step-complete message is in), exit_code what scrun's anchor passed
// on when it completed the job (srun's wait status; 0 when the anchor was deleted first). Either
// can be 0 while the other is right, so the higher wins; a Slurm error number instead of srun's
// status means the container was stopped by Slurm, a failure even if no step says so.
function containerCode(job: Job): number {
  const derived = shellCode(job.derived_exit_code) ?? 0;
  const anchor = shellCode(job.exit_code);
  return anchor === undefined ? derived || 255 : Math.max(derived, anchor);
}

// Cancels the job (with SIGNAL, or outright); errors are ignored: it may be gone already.
export async function cancelJob(
  slurm: SlurmCommands,
  jobId: number,
  signal: number | undefined,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await captureAsync(slurm.scancel, [...(signal ? [`--signal=${signal}`, '--full'] : []), String(jobId)], 15_000, env);
}

// What `scontrol ping`'s output says is wrong with the controller; undefined when it answers.
export function pingTrouble(ping: Captured): string | undefined {
  if (/ is UP/.test(ping.stdout)) return undefined;
  // its first line says what is down (a banner follows)
  return (ping.stdout + ping.stderr).trim().split('\n')[0] || `scontrol ping exited ${ping.code}`;
}

// Whether JOB_ID has (or had) a step: then the container's process may have run.
export async function hasSteps(slurm: SlurmCommands, jobId: number, env: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await captureAsync(slurm.squeue, ['-h', '-s', '-j', String(jobId), '-o', '%i'], 15_000, env);
  return r.stdout.trim() !== '';
}
