// Which Slurm release to check against when the user does not say: the installed one if
// `scontrol --version` answers, else the newest release we know.
import { execa } from 'execa';
import { DEFAULT_SLURM_VERSION, normalizeVersion, type SlurmVersion } from './keys.js';
import { targetVersion } from './lint.js';

// The version to use and where it came from (for the report).
export async function resolveSlurmVersion(given?: string): Promise<{ version: SlurmVersion; source: string }> {
  if (given) return { version: targetVersion(given), source: '--slurm-version' };
  const r = await execa('scontrol', ['--version'], { reject: false, timeout: 10_000 }).catch(() => undefined);
  const found = r && r.exitCode === 0 ? normalizeVersion(String(r.stdout)) : undefined;
  return found
    ? { version: found, source: 'scontrol --version' }
    : { version: DEFAULT_SLURM_VERSION, source: 'default (no scontrol found)' };
}
