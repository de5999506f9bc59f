// Entry point of the admin and user tool: the only place that prints an error and sets the exit code.
import { runCli } from '../cli.js';
import { describeError } from '../errors.js';

try {
  await runCli(process.argv.slice(2));
} catch (error) {
  const { lines, exitCode } = describeError(error);
  for (const line of lines) process.stderr.write(`slurm-oci: ${line}\n`);
  process.exitCode = exitCode;
}
