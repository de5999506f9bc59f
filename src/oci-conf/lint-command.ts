// `slurm-oci lint oci-conf FILE`: prints the findings (text or JSON) and fails (exit 1) exactly
// when Slurm would reject the file.
import fs from 'node:fs';
import { CliError } from '../errors.js';
import type { Finding } from './finding.js';
import { accepted, lintOciConf } from './lint.js';
import { resolveSlurmVersion } from './slurm-version.js';

// One finding as `FILE:LINE: severity: KEY: message` plus an indented fix.
const describe = (file: string, f: Finding): string =>
  `${file}${f.line ? `:${f.line}` : ''}: ${f.severity}: ${f.key ? `${f.key}: ` : ''}${f.message}\n${f.fix ? `  fix: ${f.fix}\n` : ''}`;

// Reads the oci.conf named on the command line, or says why it cannot.
export function readConfFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, 2);
  }
}

// Lints FILE and reports; throws CliError(exit 1) when the file would be rejected.
export async function lintOciConfCommand(args: { file: string; slurmVersion?: string; format: string }): Promise<void> {
  const text = readConfFile(args.file);
  const { version, source } = await resolveSlurmVersion(args.slurmVersion);
  const findings = lintOciConf(text, { slurmVersion: version });
  const ok = accepted(findings);
  if (args.format === 'json') {
    process.stdout.write(`${JSON.stringify({ file: args.file, slurmVersion: version, accepted: ok, findings }, null, 2)}\n`);
  } else {
    for (const f of findings) process.stdout.write(describe(args.file, f));
    const counts = `${findings.filter((f) => f.severity === 'error').length} error(s), ${findings.filter((f) => f.severity === 'warning').length} warning(s)`;
    process.stdout.write(`${args.file}: ${ok ? 'Slurm would accept it' : 'Slurm would reject it'} as Slurm ${version} (${source}); ${counts}\n`);
  }
  if (!ok) throw new CliError(`${args.file} would be rejected by Slurm ${version}`, 1);
}
