// `generate oci-conf` and `generate site`: options (flags and/or --from FILE) -> oci.conf text and
// helper scripts. Everything is rendered and linted before anything is written, so bad input
// changes nothing.
import fs from 'node:fs';
import YAML from 'yaml';
import { CliError } from '../errors.js';
import { ociConfOptions } from '../generated/validators.cjs';
import { assertValid } from '../schema/validate.js';
import { render } from '../util/template.js';
import { atLeast, FALSE_WORDS, findKey, TRUE_WORDS, type SlurmVersion } from './keys.js';
import type { Finding } from './finding.js';
import { accepted, lintOciConf, targetVersion } from './lint.js';
import type { OciConf } from './parse.js';
import { PRESETS, type Built, type GenerateOptions } from './presets.js';
import { writeOciConf } from './write.js';

// A helper script ready to write, and where the admin installs it.
export type RenderedHelper = { name: string; install: string; content: string };
// Everything generate() made; WARNINGS are the linter's findings on the text (never errors).
export type Generated = {
  options: GenerateOptions;
  version: SlurmVersion;
  text: string;
  helpers: RenderedHelper[];
  warnings: Finding[];
  notes: string[];
};

// Reads --from FILE (JSON or YAML; YAML is a superset of JSON).
export function readOptionsFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, 2);
  }
  try {
    return YAML.parse(text) ?? {};
  } catch (error) {
    throw new CliError(`${file} is neither JSON nor YAML: ${(error as Error).message}`, 2);
  }
}

// Turns `--set Key=Value` flags into the `set` object (SrunArgs repeats; `Key=` removes Key).
export function parseSetFlags(flags: string[]): Record<string, string | string[] | null> {
  const set: Record<string, string | string[] | null> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0)
      throw new CliError(
        `--set wants Key=Value, got: ${flag}`,
        2,
        'e.g. --set DisableCleanup=true, or --set RunTimeQuery= to remove a key',
      );
    const [key, value] = [flag.slice(0, eq), flag.slice(eq + 1)];
    set[key] =
      findKey(key)?.kind === 'array' && value !== ''
        ? [...((set[key] as string[] | null) ?? []), value]
        : value === ''
          ? null
          : value;
  }
  return set;
}

// Applies the overrides of SET to CONF: known keys only, booleans checked, null/'' removes.
function applySet(conf: OciConf, set: GenerateOptions['set'] = {}): void {
  for (const [name, value] of Object.entries(set)) {
    const spec = findKey(name);
    if (!spec)
      throw new CliError(
        `--set: unknown oci.conf key ${name}`,
        2,
        'see oci.conf(5); e.g. RunTimeRun, EnvExclude, DisableCleanup',
      );
    if (value === null || value === '') delete conf[spec.name];
    else if (spec.kind === 'boolean' && typeof value === 'string') {
      const word = value.toLowerCase();
      if (![...TRUE_WORDS, ...FALSE_WORDS].includes(word))
        throw new CliError(`--set ${spec.name}=${value}: not a boolean`, 2, 'use true or false');
      conf[spec.name] = TRUE_WORDS.includes(word);
    } else conf[spec.name] = spec.kind === 'array' && !Array.isArray(value) ? [String(value)] : value;
  }
}

// Builds, writes (in memory) and lints the file for OPTIONS; throws CliError on any bad input.
export function generate(options: unknown): Generated {
  const o = assertValid<GenerateOptions>(ociConfOptions, options, 'oci.conf options', 2);
  const version = targetVersion(o.slurmVersion);
  const preset = PRESETS[o.preset];
  if (!atLeast(version, preset.since)) {
    throw new CliError(
      `preset ${o.preset} needs Slurm ${preset.since} or later (target: ${version})`,
      2,
      `give --slurm-version ${preset.since} or later`,
    );
  }
  const built: Built = preset.build(o, version);
  applySet(built.conf, o.set);
  // 25.05 moved the spool dir's place inside the container (CHANGELOG/slurm-25.05.md): say where it is
  if (atLeast(version, '25.05') && built.conf.IgnoreFileConfigJson !== true && built.conf.MountSpoolDir === undefined) {
    built.notes.push(
      `Slurm ${version} mounts the step's spool dir inside the container at its own path (the MountSpoolDir default since 25.05; before: /var/run/slurm/); set MountSpoolDir=/var/run/slurm/ for images that expect the old place.`,
    );
  }
  const text = writeOciConf(built.conf, version, o.preset, built.notes);
  const findings = lintOciConf(text, { slurmVersion: version });
  if (!accepted(findings)) {
    const errors = findings.filter((f) => f.severity === 'error').map((f) => `${f.key ?? 'file'}: ${f.message}`);
    throw new CliError(
      `the generated oci.conf would be rejected by Slurm ${version}:\n  ${errors.join('\n  ')}`,
      2,
      'check the --set values',
    );
  }
  const helpers = built.helpers.map((h) => ({ name: h.name, install: h.install, content: render(h.template, h.data) }));
  return { options: o, version, text, helpers, warnings: findings, notes: built.notes };
}
