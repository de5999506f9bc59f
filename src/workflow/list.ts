// `slurm-oci workflow list`: recent coordination directories, newest first, with their jobs' states.
import path from 'node:path';
import { FILES, hasFlag, listCoordinationDirs } from './coordination.js';
import { launchJobs, type JobInfo } from './status.js';

// One launch in the list, as `workflow list --format json` prints it.
export type ListEntry = {
  dir: string;
  runtime?: { id: string; state: string };
  training?: { id: string; state: string };
  ready: boolean;
  complete: boolean;
};

const brief = (job?: JobInfo) => job && { id: job.id, state: job.state };

// The newest LIMIT launches under ROOT.
export async function listWorkflows(root: string, limit: number): Promise<ListEntry[]> {
  return Promise.all(
    listCoordinationDirs(root)
      .slice(0, limit)
      .map(async (dir) => {
        const { runtime, training } = await launchJobs(dir);
        return {
          dir,
          runtime: brief(runtime),
          training: brief(training),
          ready: hasFlag(dir, FILES.ready),
          complete: hasFlag(dir, FILES.complete),
        };
      }),
  );
}

// The human form: one line per launch.
export function formatList(entries: ListEntry[]): string {
  if (entries.length === 0) return 'no launches yet\n';
  const cell = (j?: { id: string; state: string }) => (j ? `${j.id} ${j.state}` : '-');
  const rows = entries.map((e) => [
    path.basename(e.dir),
    cell(e.runtime),
    cell(e.training),
    [e.ready && 'ready', e.complete && 'complete'].filter(Boolean).join(',') || '-',
  ]);
  const table = [['DIRECTORY', 'RUNTIME', 'TRAINING', 'FLAGS'], ...rows];
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return `${table
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
