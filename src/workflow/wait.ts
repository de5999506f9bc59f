// `launch --wait`: watches a launch until the sandbox server is ready, with a progress line on
// stderr (rewritten in place on a terminal, one line per change otherwise).
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../errors.js';
import { FILES, hasFlag, readCoordinationFile } from './coordination.js';
import { jobEnded, launchJobs, type JobInfo } from './status.js';

const describe = (what: string, job?: JobInfo) => (job ? `${what} job ${job.id} ${job.state}` : '');

// Returns the server's URL once runtime_ready.flag exists; throws when the runtime job failed
// first or TIMEOUT seconds (RUNTIME_READY_TIMEOUT, counted from now) pass.
export async function waitForReady(dir: string, timeoutSeconds: number, pollMs = 2000): Promise<string> {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let last = '';
  const show = (line: string, final = false) => {
    if (tty) process.stderr.write(`\r\x1b[K${line}`);
    else if (line.replace(/, \d+ s$/, '') !== last.replace(/, \d+ s$/, '') || final) process.stderr.write(`${line}\n`);
    last = line;
  };
  try {
    for (;;) {
      const elapsed = Math.round((Date.now() - started) / 1000);
      if (hasFlag(dir, FILES.ready)) {
        const url = readCoordinationFile(dir, FILES.url) ?? '';
        show(`sandbox server ready at ${url} after ${elapsed} s`, true);
        return url;
      }
      const { runtime, training } = await launchJobs(dir);
      const failed = readCoordinationFile(dir, FILES.failed);
      if (failed || (runtime && jobEnded(runtime) && !hasFlag(dir, FILES.ready))) {
        show(describe('runtime', runtime), true);
        throw new CliError(
          `the sandbox server did not start: ${failed ?? `runtime job ${runtime?.id} is ${runtime?.state}`}`,
          1,
          `see slurm-oci workflow logs ${dir}`,
        );
      }
      if (elapsed >= timeoutSeconds) {
        throw new CliError(
          `the sandbox server was not ready after ${timeoutSeconds} s (RUNTIME_READY_TIMEOUT)`,
          1,
          `the jobs keep running; see slurm-oci workflow status ${dir}`,
        );
      }
      const parts = [describe('runtime', runtime), describe('training', training)].filter(Boolean);
      show(`waiting for the sandbox server: ${parts.join(', ')}, ${elapsed} s`);
      await sleep(pollMs);
    }
  } finally {
    if (tty && last) process.stderr.write('\n');
  }
}
