// The Slurm client must answer, and scrun (Slurm 23.02+) must exist for Podman and Docker to run
// containers as jobs; `srun --container` alone does not need it.
import { fail, ok, warn, type Check, type Finding } from '../check.js';

// True when VERSION ("23.02.1") is at least MAJOR.MINOR.
export const atLeast = (version: string, major: number, minor: number): boolean => {
  const [a, b] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
};

// Judges the Slurm version (undefined: no client answered) and scrun's path (undefined: not found).
export function judgeSlurm(version: string | undefined, scrun: string | undefined): Finding {
  if (!version)
    return fail(
      'no Slurm client here (scontrol/sinfo --version gave nothing)',
      'install the Slurm client commands and put them on PATH',
    );
  if (!atLeast(version, 23, 2))
    return fail(
      `Slurm ${version}: scrun and the current oci.conf keys need 23.02 or later`,
      'upgrade Slurm to 23.02 or later',
    );
  if (!scrun) {
    return warn(
      `Slurm ${version}, but no scrun on PATH: Podman and Docker cannot run containers as jobs`,
      'install scrun (Slurm built with Lua support) on login and compute nodes',
    );
  }
  return ok(`Slurm ${version}, scrun at ${scrun}`);
}

export default {
  name: 'slurm',
  run: async (host) => judgeSlurm(await host.slurmVersion(), host.which('scrun')),
} satisfies Check;
