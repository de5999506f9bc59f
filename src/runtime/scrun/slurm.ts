// The Slurm commands the scrun backend needs besides scrun: find a container's job, read how it
// ended, cancel it. Resolved to absolute paths at create (later calls may have no PATH).
import { CliError } from '../../errors.js';
import { which } from '../which.js';
import { capture } from '../spawn.js';
import type { ContainerRecord } from '../store.js';

export type SlurmCommands = NonNullable<ContainerRecord['slurm']>;
export type JobEnd = { state: string; finished: boolean; exitCode?: number };

const FINISHED = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|PREEMPTED|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE)/;

// Absolute paths of squeue, scontrol and scancel, or an error saying which is missing.
export function slurmCommands(paths: Record<string, string>): SlurmCommands {
  const found = Object.fromEntries(['squeue', 'scontrol', 'scancel'].map((n) => [n, which(n, paths)]));
  const missing = Object.keys(found).filter((n) => !found[n]);
  if (missing.length) {
    throw new CliError(`the scrun backend needs ${missing.join(', ')}, not found`, 1, 'install the Slurm client commands');
  }
  return found as SlurmCommands;
}

// The id of the job scrun allocated for container ID, if any is still known to the controller.
export function findJob(slurm: SlurmCommands, id: string): number | undefined {
  const r = capture(slurm.squeue, ['-h', '-a', '-t', 'all', '-O', 'JobID:|,ContainerId:'], 15_000);
  for (const line of r.stdout.split('\n')) {
    const [job, container] = line.split('|').map((s) => s.trim());
    if (container === id && job) return Number(job);
  }
  return undefined;
}

// The job's state and, once it has finished, the exit code its container left (128+n for signal n).
export function jobEnd(slurm: SlurmCommands, jobId: number): JobEnd | undefined {
  const r = capture(slurm.scontrol, ['show', 'job', String(jobId), '--json'], 15_000);
  if (r.code !== 0) return undefined;
  type Code = { return_code?: { number?: number; set?: boolean }; signal?: { id?: { number?: number; set?: boolean } } };
  let job: { job_state?: string[]; exit_code?: Code; derived_exit_code?: Code } | undefined;
  try {
    job = (JSON.parse(r.stdout) as { jobs?: (typeof job)[] }).jobs?.[0];
  } catch {
    return undefined;
  }
  if (!job) return undefined;
  const state = (job.job_state ?? []).join(',');
  const finished = FINISHED.test(state);
  // derived_exit_code is the highest exit code of the job's steps, i.e. srun's (the container's);
  // exit_code is what scrun's anchor reported when it completed the job
  const code = job.derived_exit_code?.return_code?.set ? job.derived_exit_code : job.exit_code;
  const signal = code?.signal?.id?.set ? code.signal.id.number : undefined;
  const exitCode = !finished ? undefined : signal ? 128 + signal : (code?.return_code?.number ?? 0);
  return { state, finished, exitCode };
}

// Cancels the job (with SIGNAL, or outright); errors are ignored: it may be gone already.
export function cancelJob(slurm: SlurmCommands, jobId: number, signal?: number): void {
  capture(slurm.scancel, [...(signal ? [`--signal=${signal}`, '--full'] : []), String(jobId)], 15_000);
}
