// Ends whatever is left of a scrun container on this host and in Slurm: the anchor (politely with
// `scrun delete --force`, which runs stage-out, then with SIGKILL) and a job still not finished.
// A srun still winding down gets a few seconds first: killed mid-way, it leaves slurmstepd waiting
// 60 s on its I/O and the node busy ("Abandoning IO 60 secs after job shutdown").
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from '../context.js';
import { capture } from '../spawn.js';
import type { ContainerRecord } from '../store.js';
import { childrenOf, isAlive } from './proc.js';
import { cancelJob, jobEnd } from './slurm.js';

// scrun's global flags: our per-container root; scrun rejects --log-format text and ignores the rest.
export const scrunGlobals = (ctx: Context, record: ContainerRecord): string[] => [
  '--root', record.backendRoot, ...(ctx.globals.debug ? ['--debug'] : []),
];

const SRUN_WIND_DOWN_MS = 10_000;

const liveSruns = (pid: number): boolean => childrenOf(pid).some((c) => c.comm === 'srun' && c.state !== 'Z');

// Cancels JOB_ID unless the controller says it finished, then stops the anchor if ANCHOR is alive.
export async function stopAnchorAndJob(
  ctx: Context,
  record: ContainerRecord,
  anchor: { pid: number; start?: number } | undefined,
  jobId: number | undefined,
): Promise<void> {
  if (jobId && record.slurm && !jobEnd(record.slurm, jobId)?.finished) cancelJob(record.slurm, jobId);
  for (let i = 0; i < SRUN_WIND_DOWN_MS / 100 && anchor && liveSruns(anchor.pid); i++) await sleep(100);
  if (anchor && isAlive(anchor.pid, anchor.start)) {
    capture(record.binary, [...scrunGlobals(ctx, record), 'delete', '--force', record.id], 15_000);
    if (isAlive(anchor.pid, anchor.start)) {
      for (const child of childrenOf(anchor.pid)) process.kill(child.pid, 'SIGKILL');
      process.kill(anchor.pid, 'SIGKILL');
    }
  }
}
