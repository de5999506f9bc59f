// The oci.conf linter: what Slurm's parser and get_oci_conf() would reject (errors) and what they
// accept but fails or misbehaves later (warnings), each with its line and a fix. `slurm-oci doctor`
// calls lintOciConf directly.
import { CliError } from '../errors.js';
import { ereError } from './ere.js';
import type { Finding } from './finding.js';
import {
  atLeast,
  CREATE_ENV_FILE_WORDS,
  DEFAULT_SLURM_VERSION,
  FALSE_WORDS,
  findKey,
  LOG_LEVELS,
  normalizeVersion,
  SLURM_VERSIONS,
  TRUE_WORDS,
  type SlurmVersion,
} from './keys.js';
import { lintRuntime } from './lint-runtime.js';
import { parseOciConf, scanOciConf, type Entry } from './parse.js';
import { PATTERN_KEYS, patternProblems } from './patterns.js';

const BOOLEAN_FIX = `write one of ${[...TRUE_WORDS, ...FALSE_WORDS].join(', ')}`;

// The problems of one value on its own (kind, pattern, regex), for Slurm VERSION.
function lintValue({ line, key, value }: Entry, version: SlurmVersion): Finding[] {
  const spec = findKey(key)!;
  const error = (message: string, fix?: string): Finding[] => [{ line, key, severity: 'error', message, fix }];
  if (!atLeast(version, spec.since))
    return error(
      `Slurm ${version} has no key ${key} (added in ${spec.since}): "Parsing error at unrecognized key"`,
      `remove it, or target Slurm ${spec.since}+ with --slurm-version`,
    );
  const word = value.toLowerCase();
  const isBool = [...TRUE_WORDS, ...FALSE_WORDS].includes(word);
  if (spec.kind === 'boolean' && !isBool) return error(`${key}=${value} is not a boolean`, BOOLEAN_FIX);
  if (spec.kind === 'createEnvFile' && !atLeast(version, '23.02') && !isBool)
    return error(`CreateEnvFile is a boolean before Slurm 23.02, not ${value}`, BOOLEAN_FIX);
  if (
    spec.kind === 'createEnvFile' &&
    atLeast(version, '23.02') &&
    !Object.values(CREATE_ENV_FILE_WORDS).flat().includes(word)
  ) {
    return error(
      `invalid CreateEnvFile value ${value} (Slurm: "Invalid value of CreateEnvFile")`,
      'write null (NUL-separated file), newline, or disabled',
    );
  }
  if (spec.kind === 'regex') {
    const problem = ereError(value);
    if (problem)
      return error(
        `${key} does not compile as a POSIX extended regex: ${problem}`,
        'fix the regex; remember Slurm drops every backslash once, so a literal dot is `\\\\.`',
      );
  }
  if (spec.kind === 'logLevel' && !LOG_LEVELS.includes(word) && !/^\d+$/.test(value)) {
    return [
      {
        line,
        key,
        severity: 'warning',
        message: `${key}=${value} is not a log level`,
        fix: `use one of ${LOG_LEVELS.join(', ')} or a number`,
      },
    ];
  }
  if (PATTERN_KEYS.has(key))
    return patternProblems(value, version).map((p) => ({
      line,
      key,
      severity: 'error' as const,
      message: p.message,
      fix: p.fix,
    }));
  return [];
}

// String keys given twice: Slurm logs "specified more than once" and keeps the last.
function lintRepeats(entries: Entry[]): Finding[] {
  const seen = new Map<string, number>();
  const findings: Finding[] = [];
  for (const { line, key } of entries) {
    const first = seen.get(key);
    if (first !== undefined && key !== 'SrunArgs')
      findings.push({
        line,
        key,
        severity: 'warning',
        message: `${key} is set again (first on line ${first}); Slurm keeps this last value`,
        fix: 'keep one',
      });
    if (first === undefined) seen.set(key, line);
  }
  return findings;
}

// Resolves the target version (undefined: the newest release); throws on an unknown one.
export function targetVersion(text?: string): SlurmVersion {
  if (text === undefined) return DEFAULT_SLURM_VERSION;
  const version = normalizeVersion(text);
  if (!version) throw new CliError(`unknown Slurm version: ${text}`, 2, `known: ${SLURM_VERSIONS.join(', ')}`);
  return version;
}

// Every finding for TEXT as Slurm VERSION (default: the newest release) would read it, by line.
export function lintOciConf(text: string, options: { slurmVersion?: string } = {}): Finding[] {
  const version = targetVersion(options.slurmVersion);
  const { entries, problems } = scanOciConf(text);
  const findings: Finding[] = problems.map(({ line, key, kind, message, fix }) => ({
    line,
    key,
    severity: kind === 'include' ? 'warning' : 'error',
    message,
    fix,
  }));
  findings.push(...entries.flatMap((e) => lintValue(e, version)), ...lintRepeats(entries));
  const lines = new Map(entries.map((e) => [e.key, e.line]));
  findings.push(...lintRuntime(parseOciConf(text), lines, version));
  // A value that is already an error (cut, unterminated) would only add noise as warnings.
  const broken = new Set(findings.filter((f) => f.severity === 'error' && f.key).map((f) => `${f.line}:${f.key}`));
  // the same problem twice on one line (a pattern used twice) is one finding
  const seen = new Set<string>();
  return findings
    .filter((f) => f.severity === 'error' || !broken.has(`${f.line}:${f.key}`))
    .filter((f) => {
      const id = JSON.stringify([f.line, f.key, f.severity, f.message]);
      return !seen.has(id) && Boolean(seen.add(id));
    })
    .sort((a, b) => a.line - b.line);
}

// True when Slurm would accept the file (warnings allowed).
export const accepted = (findings: Finding[]): boolean => findings.every((f) => f.severity !== 'error');
