// Writes the oci.conf model as text Slurm reads back unchanged: string values are double-quoted
// (they cannot hold `"`), `\` and `#` are backslash-escaped, SrunArgs repeats once per argument.
import { CliError } from '../errors.js';
import { render } from '../util/template.js';
import { atLeast, KEYS, type SlurmVersion } from './keys.js';
import type { OciConf } from './parse.js';
import { PATTERN_KEYS, patternProblems } from './patterns.js';

// Escapes for _strip_escapes and _strip_comments: `\` becomes `\\`, `#` becomes `\#`.
const escape = (value: string): string => value.replace(/[\\#]/g, (c) => `\\${c}`);

// One string value as `"..."`, or a clear error when Slurm's syntax cannot carry it.
function quoted(key: string, value: string, version: SlurmVersion): string {
  if (value.includes('"'))
    throw new CliError(
      `${key}: a value cannot contain a double quote (Slurm's parser has no way to escape it): ${value}`,
      2,
      "use single quotes inside the command, e.g. sh -c 'echo hi'",
    );
  if (/[\n\r\0]/.test(value)) throw new CliError(`${key}: a value must be one line`, 2);
  if (PATTERN_KEYS.has(key)) {
    const [problem] = patternProblems(value, version);
    if (problem) throw new CliError(`${key}: ${problem.message}: ${value}`, 2, problem.fix);
  }
  return `"${escape(value)}"`;
}

// CreateEnvFile as VERSION spells it: a boolean before 23.02, a word after.
function createEnvFile(value: unknown, version: SlurmVersion): string {
  if (atLeast(version, '23.02')) return String(value);
  if (value === 'newline')
    throw new CliError(
      'CreateEnvFile=newline needs Slurm 23.02 or later',
      2,
      'use null (a NUL-separated file) or target a newer version',
    );
  return value === 'null' ? 'true' : 'false';
}

// The `Key=value` lines of CONF in Slurm's table order.
export function formatLines(conf: OciConf, version: SlurmVersion): string[] {
  const lines: string[] = [];
  for (const name of Object.keys(conf)) {
    const spec = KEYS.find((k) => k.name === name);
    if (!spec)
      throw new CliError(`unknown oci.conf key: ${name}`, 2, `known keys: ${KEYS.map((k) => k.name).join(', ')}`);
    if (!atLeast(version, spec.since))
      throw new CliError(`${name} needs Slurm ${spec.since} or later (target: ${version})`, 2);
  }
  for (const { name, kind } of KEYS) {
    const value = conf[name];
    if (value === undefined) continue;
    if (kind === 'array') for (const arg of value as string[]) lines.push(`${name}=${quoted(name, arg, version)}`);
    else if (kind === 'boolean') lines.push(`${name}=${value === true ? 'true' : 'false'}`);
    else if (kind === 'createEnvFile') lines.push(`${name}=${createEnvFile(value, version)}`);
    else if (kind === 'logLevel') lines.push(`${name}=${escape(String(value))}`);
    else lines.push(`${name}=${quoted(name, String(value), version)}`);
  }
  return lines;
}

// The whole file: a header saying where it goes and why, NOTES as comments, then the keys.
export function writeOciConf(conf: OciConf, version: SlurmVersion, preset: string, notes: string[] = []): string {
  return render('oci-templates/oci.conf.hbs', {
    version,
    preset,
    notes: notes.flatMap((n) => n.split('\n')),
    lines: formatLines(conf, version),
  });
}
