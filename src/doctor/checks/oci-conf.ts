// oci.conf turns on Slurm's container support: slurmstepd needs it on compute nodes and scrun
// refuses to start without a valid one, so it must be present beside slurm.conf and lint-clean.
import { fail, ok, warn, type Check, type Finding } from '../check.js';
import type { Host } from '../host.js';

// Where a Slurm config file is: the first of the config directories that has it, else the path it should have.
export function locate(host: Host, name: string): { file: string; text?: string } {
  const files = host.slurmConfDirs().map((dir) => `${dir}/${name}`);
  for (const file of files) {
    const text = host.read(file);
    if (text !== undefined) return { file, text };
  }
  return { file: files[0] };
}

// Judges the file's presence and the lint's findings (none while the linter is not wired in).
export function judgeOciConf(file: string, text: string | undefined, findings: { severity: 'error' | 'warning'; message: string }[] = []): Finding {
  const regenerate = `slurm-oci generate oci-conf -o ${file} on every node (or let configless mode ship it), then \`scontrol reconfigure\``;
  if (text === undefined) return fail(`${file} is missing: Slurm ignores --container and scrun will not start`, regenerate);
  const errors = findings.filter((f) => f.severity === 'error');
  const summary = (fs: typeof findings) => fs.map((f) => f.message).join('; ');
  if (errors.length) return fail(`${file}: ${summary(errors)}`, `fix these lines (\`slurm-oci lint oci-conf ${file}\` explains each), or ${regenerate}`);
  if (findings.length) return warn(`${file}: ${summary(findings)}`, `\`slurm-oci lint oci-conf ${file}\` explains each`);
  return ok(`${file} present`);
}

export default {
  name: 'oci-conf',
  run: async (host) => {
    const { file, text } = locate(host, 'oci.conf');
    return judgeOciConf(file, text);
  },
} satisfies Check;
