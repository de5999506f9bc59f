// Ends whatever is left of a scrun container on this host and in Slurm: the anchor (politely with
// `scrun delete --force`, which runs stage-out, then with SIGKILL) and a job still not finished.
// A srun still winding down gets a few seconds first: killed mid-way, it leaves slurmstepd waiting
// 60 s on its I/O and the node busy ("Abandoning IO 60 secs after job shutdown").
import type { Globals } from '../context.js';
import type { ContainerRecord } from '../store.js';
import type { ProcRef } from './container.js';
import { isAlive, type ScrunHost } from './host.js';

// scrun's global flags: our per-container root; scrun rejects --log-format text and ignores the rest.
export const scrunGlobals = (globals: Pick<Globals, 'debug'>, record: ContainerRecord): string[] => [
  '--root',
  record.backendRoot,
  ...(globals.debug ? ['--debug'] : []),
];

const SRUN_WIND_DOWN_MS = 10_000;
const STEP_MS = 100;

const liveSruns = (host: ScrunHost, pid: number): boolean =>
  host.children(pid).some((c) => c.comm === 'srun' && c.state !== 'Z');

// What is known of the job and anchor being stopped: the job FINISHED (no need to ask); the anchor
// STOPPED (it removed its pid file after stage-out and completing the job: only its exit is left,
// which it sometimes never makes, so it is killed without asking it to delete).
export type Known = { finished?: boolean; stopped?: boolean };

// Cancels JOB_ID unless it finished (KNOWN, or the controller says so), then stops ANCHOR if alive.
export async function stopAnchorAndJob(
  host: ScrunHost,
  globals: Pick<Globals, 'debug'>,
  record: ContainerRecord,
  anchor: ProcRef | undefined,
  jobId: number | undefined,
  known: Known = {},
): Promise<void> {
  if (jobId && !known.finished && !(await host.jobEnd(jobId))?.finished) await host.cancel(jobId);
  for (let i = 0; i < SRUN_WIND_DOWN_MS / STEP_MS && anchor && liveSruns(host, anchor.pid); i++)
    await host.sleep(STEP_MS);
  if (anchor && isAlive(host, anchor.pid, anchor.start)) {
    if (!known.stopped) await host.scrun([...scrunGlobals(globals, record), 'delete', '--force', record.id], 15_000);
    if (isAlive(host, anchor.pid, anchor.start)) {
      for (const child of host.children(anchor.pid)) host.kill(child.pid, 'SIGKILL');
      host.kill(anchor.pid, 'SIGKILL');
    }
  }
}
