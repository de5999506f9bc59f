// `slurm-oci lint oci-conf FILE`: prints the findings (text or JSON) and fails (exit 1) exactly
// when Slurm would reject the file.
import fs from 'node:fs';
import { CliError } from '../errors.js';
import type { Finding } from './finding.js';
import { accepted, lintOciConf } from './lint.js';
import { resolveSlurmVersion } from './slurm-version.js';

// Control bytes from the file as \xNN, so a stray escape sequence cannot repaint the terminal.
const visible = (text: string): string =>
  text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

// One finding as `FILE:LINE: severity: KEY: message` plus an indented fix.
const describe = (file: string, f: Finding): string =>
  visible(`${file}${f.line ? `:${f.line}` : ''}: ${f.severity}: ${f.key ? `${f.key}: ` : ''}${f.message}`) +
  `\n${f.fix ? `  fix: ${visible(f.fix)}\n` : ''}`;

// How many findings of one kind (same severity, key and fix) are printed before a summary line.
const SHOWN_PER_KIND = 3;

// The text report: findings of one kind beyond the first few become one line, so a file that is not
// an oci.conf at all gives a screenful, not a line per line of it.
function textReport(file: string, findings: Finding[]): string {
  const kinds = new Map<string, Finding[]>();
  for (const f of findings) {
    const kind = JSON.stringify([f.severity, f.key, f.fix]);
    kinds.set(kind, [...(kinds.get(kind) ?? []), f]);
  }
  let out = '';
  for (const f of findings) {
    const same = kinds.get(JSON.stringify([f.severity, f.key, f.fix]))!;
    const index = same.indexOf(f);
    if (index < SHOWN_PER_KIND || same.length <= SHOWN_PER_KIND + 1) out += describe(file, f);
    else if (index === SHOWN_PER_KIND) {
      const lines = same.slice(index).map((g) => g.line);
      out += `${file}: ... and ${lines.length} more like that (lines ${lines.slice(0, 8).join(', ')}${lines.length > 8 ? ', ...' : ''})\n`;
    }
  }
  return out;
}

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
    process.stdout.write(
      `${JSON.stringify({ file: args.file, slurmVersion: version, accepted: ok, findings }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(textReport(args.file, findings));
    const counts = `${findings.filter((f) => f.severity === 'error').length} error(s), ${findings.filter((f) => f.severity === 'warning').length} warning(s)`;
    process.stdout.write(
      `${args.file}: ${ok ? 'Slurm would accept it' : 'Slurm would reject it'} as Slurm ${version} (${source}); ${counts}\n`,
    );
  }
  if (!ok) throw new CliError(`${args.file} would be rejected by Slurm ${version}`, 1);
}
