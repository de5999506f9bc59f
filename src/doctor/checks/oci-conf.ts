// oci.conf turns on Slurm's container support: slurmstepd needs it on compute nodes and scrun
// refuses to start without a valid one, so it must be present beside slurm.conf and lint-clean.
import type { Finding as LintFinding } from '../../oci-conf/finding.js';
import { lintOciConf } from '../../oci-conf/lint.js';
import { normalizeVersion } from '../../oci-conf/keys.js';
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

// Judges the file's presence and the linter's findings for the installed Slurm.
export function judgeOciConf(
  file: string,
  text: string | undefined,
  findings: LintFinding[] = [],
  slurm = 'the newest Slurm',
): Finding {
  const regenerate = `slurm-oci generate oci-conf --preset crun-run -o ${file} --force (or another preset) on every node (or let configless mode ship it), then \`scontrol reconfigure\``;
  if (text === undefined)
    return fail(`${file} is missing: Slurm ignores --container and scrun will not start`, regenerate);
  const errors = findings.filter((f) => f.severity === 'error');
  const summary = (fs: LintFinding[]) =>
    fs
      .slice(0, 2)
      .map((f) => `${f.line ? `line ${f.line}: ` : ''}${f.message}`)
      .join('; ') + (fs.length > 2 ? ` (and ${fs.length - 2} more)` : '');
  const explain = `\`slurm-oci lint oci-conf ${file}\` gives the fix for each`;
  if (errors.length) {
    const fixes = [...new Set(errors.flatMap((f) => (f.fix ? [f.fix] : [])))];
    return fail(
      `${file}: ${slurm} would reject it: ${summary(errors)}`,
      `${[...fixes, explain].join('; ')}; or ${regenerate}`,
    );
  }
  if (findings.length) return warn(`${file}: ${summary(findings)}`, explain);
  return ok(`${file} present, lint-clean for ${slurm}`);
}

// The lint findings that still matter once doctor has looked at this node: the linter warns that
// /run/user/%U may be missing, which the run-user-dir check verifies for real (with the same fix).
export const nodeFindings = (findings: LintFinding[]): LintFinding[] =>
  findings.filter((f) => !(f.severity === 'warning' && /\/run\/user\/%U/.test(f.message)));

export default {
  name: 'oci-conf',
  run: async (host) => {
    const { file, text } = locate(host, 'oci.conf');
    if (text === undefined) return judgeOciConf(file, text);
    // Lint for the installed release; one this tool does not know yet is linted as the newest.
    const version = normalizeVersion((await host.slurmVersion()) ?? '');
    return judgeOciConf(
      file,
      text,
      nodeFindings(lintOciConf(text, { slurmVersion: version })),
      version ? `Slurm ${version}` : undefined,
    );
  },
} satisfies Check;
