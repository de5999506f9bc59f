// `slurm-oci workflow logs`: prints the jobs' logs, and with --follow keeps printing what they
// append (like tail -f over all of them) until both jobs are over.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logFiles } from './coordination.js';
import { jobEnded, launchJobs, type JobInfo } from './status.js';

// Asks Slurm about both jobs: whether both are over, and a line naming the ones still pending.
async function jobsNow(dir: string): Promise<{ ended: boolean; waiting: string }> {
  const { runtime, training } = await launchJobs(dir);
  const jobs: [string, JobInfo | undefined][] = [
    ['runtime', runtime],
    ['training', training],
  ];
  const pending = jobs
    .filter(([, job]) => job && /PENDING/.test(job.state))
    .map(([role, job]) => `${role} job ${job!.id} is pending${job!.reason ? ` (${job!.reason})` : ''}`);
  return {
    ended: jobEnded(runtime) && jobEnded(training),
    waiting: pending.length ? `waiting: ${pending.join(', ')}; its log appears when it starts` : '',
  };
}

// Writes the logs of DIR to stdout; FOLLOW keeps going until both jobs end.
export async function showLogs(dir: string, follow: boolean, pollMs = 1000): Promise<void> {
  const offsets = new Map<string, number>();
  let current = '';
  const drain = () => {
    for (const file of logFiles(dir)) {
      const from = offsets.get(file) ?? 0;
      const size = fs.statSync(file).size;
      if (size <= from) continue;
      const fd = fs.openSync(file, 'r');
      const buffer = Buffer.alloc(size - from);
      fs.readSync(fd, buffer, 0, buffer.length, from);
      fs.closeSync(fd);
      offsets.set(file, size);
      if (current !== file) process.stdout.write(`==> ${path.basename(file)} <==\n`);
      current = file;
      process.stdout.write(buffer);
    }
  };
  drain();
  // while a job waits for resources there is nothing to print: say so (on stderr), once per change
  let said = '';
  const ask = async () => {
    const now = await jobsNow(dir);
    if (now.waiting !== said && now.waiting) process.stderr.write(`${now.waiting}\n`);
    said = now.waiting;
    return now.ended;
  };
  if (follow && (await ask())) return void drain();
  for (let tick = 0; follow; tick++) {
    await sleep(pollMs);
    drain();
    // asking Slurm every few polls is enough
    if (tick % 5 === 4 && (await ask())) {
      drain();
      return;
    }
  }
}
