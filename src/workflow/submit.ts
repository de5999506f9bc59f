// Submits, releases and cancels the workflow's jobs with Slurm's own commands (argv, no shell).
import { execa } from 'execa';
import { CliError } from '../errors.js';
import type { JobSubmission } from './render.js';

// Runs a Slurm command; one that cannot start (not installed) or does not answer is a clear error.
const slurm = async (argv: string[], input?: string) => {
  const r = await execa(argv[0], argv.slice(1), { input, reject: false, timeout: 60_000 });
  if (r.timedOut)
    throw new CliError(`${argv[0]} did not answer in 60 s`, 1, 'slurmctld may be busy or down: check `scontrol ping`');
  if (r.exitCode === undefined) {
    const why =
      (r as { code?: string }).code === 'ENOENT' ? 'it is not installed here (or not on PATH)' : r.shortMessage;
    throw new CliError(`cannot run ${argv[0]}: ${why}`, 1, 'run this on a Slurm login node, or add Slurm to PATH');
  }
  return r;
};

// Runs `sbatch --parsable ...` with the script on stdin and returns the job id.
export async function submitJob(job: JobSubmission, what: string): Promise<string> {
  const r = await slurm(job.argv, job.script);
  const id = String(r.stdout).trim().split(';')[0];
  if (r.exitCode !== 0 || !/^\d+$/.test(id)) {
    throw new CliError(
      `sbatch refused the ${what} job: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`,
      1,
      'check the partitions and resources in the config (try --dry-run)',
    );
  }
  return id;
}

// Releases a job submitted with --hold.
export async function releaseJob(id: string): Promise<void> {
  const r = await slurm(['scontrol', 'release', id]);
  if (r.exitCode !== 0) throw new CliError(`scontrol release ${id} failed: ${String(r.stderr).trim()}`);
}

// Cancels jobs; ids Slurm no longer knows or that already ended are not an error.
export async function cancelJobs(ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const r = await slurm(['scancel', ...ids]);
  const stderr = String(r.stderr);
  if (r.exitCode !== 0 && !/already completed|Invalid job id|not pending or running/i.test(stderr)) {
    throw new CliError(`scancel ${ids.join(' ')} failed: ${stderr.trim()}`);
  }
}
