// `slurm-oci workflow logs`: prints the jobs' logs, and with --follow keeps printing what they
// append (like tail -f over all of them) until both jobs are over.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logFiles } from './coordination.js';
import { jobEnded, launchJobs } from './status.js';

const bothEnded = async (dir: string) => {
  const { runtime, training } = await launchJobs(dir);
  return jobEnded(runtime) && jobEnded(training);
};

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
  for (let tick = 0; follow; tick++) {
    await sleep(pollMs);
    drain();
    // asking Slurm every few polls is enough
    if (tick % 5 === 4 && (await bothEnded(dir))) {
      drain();
      return;
    }
  }
}
