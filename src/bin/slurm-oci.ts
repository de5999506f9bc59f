// Entry point of the admin and user tool: the only place that prints an error and sets the exit code.
import { runCli } from '../cli.js';
import { describeError } from '../errors.js';

let reported = false;

// Prints ERROR as one line (plus a hint) and sets the exit code; only the first error counts.
function report(error: unknown): void {
  if (reported) return;
  reported = true;
  const { lines, exitCode } = describeError(error);
  try {
    for (const line of lines) process.stderr.write(`slurm-oci: ${line}\n`);
  } catch {
    // stderr is gone too: the exit code is all that is left
  }
  process.exitCode = exitCode;
}

// A closed pipe or a full disk on stdout surfaces as an 'error' event, not at the write() call:
// report it and stop at once, since nothing more can reach the reader.
process.stdout.on('error', (error) => {
  report(error);
  process.exit();
});
process.stderr.on('error', () => process.exit());

try {
  await runCli(process.argv.slice(2));
} catch (error) {
  report(error);
}
