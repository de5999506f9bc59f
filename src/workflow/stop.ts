// `slurm-oci workflow stop`: ends a launch on purpose. The completion flag goes first so the server
// shuts down cleanly (removing its containers) even if the cancel signal is lost.
import fs from 'node:fs';
import path from 'node:path';
import { FILES, readJobId } from './coordination.js';
import { cancelJobs } from './submit.js';

// Writes training_complete.flag and cancels both jobs (training first); returns the ids cancelled.
export async function stopWorkflow(dir: string): Promise<string[]> {
  const flag = path.join(dir, FILES.complete);
  if (!fs.existsSync(flag)) fs.writeFileSync(flag, 'stopped\n');
  const ids = [FILES.trainingJob, FILES.runtimeJob]
    .map((name) => readJobId(dir, name))
    .filter((id): id is string => Boolean(id));
  await cancelJobs(ids);
  return ids;
}
