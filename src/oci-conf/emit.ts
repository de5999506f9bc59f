// The handlers' side of `generate oci-conf` and `generate site`: merge flags over --from, generate,
// then write the files (oci.conf 0644, helper scripts 0755) and say where each one goes.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';
import { assertWritable } from '../util/output.js';
import { render } from '../util/template.js';
import { generate, parseSetFlags, readOptionsFile, type Generated } from './generate.js';

// The command-line flags of `generate oci-conf` and `generate site`, as yargs gives them.
export type GenerateFlags = {
  preset?: string;
  slurmVersion?: string;
  runtime?: string;
  runtimeArg?: string[];
  root?: string;
  containerId?: string;
  backend?: string;
  helperDir?: string;
  set?: string[];
  from?: string;
};

// The options object: --from FILE first, then each flag given on the command line over it.
function mergeOptions(flags: GenerateFlags): Record<string, unknown> {
  const base = flags.from ? readOptionsFile(flags.from) : {};
  const fromFlags = {
    preset: flags.preset,
    slurmVersion: flags.slurmVersion,
    runtime: flags.runtime,
    root: flags.root,
    containerId: flags.containerId,
    backend: flags.backend,
    helperDir: flags.helperDir,
    runtimeArgs: flags.runtimeArg?.length ? flags.runtimeArg : undefined,
  };
  const set = { ...((base.set as object | undefined) ?? {}), ...parseSetFlags(flags.set ?? []) };
  const merged: Record<string, unknown> = {
    ...base,
    ...Object.fromEntries(Object.entries(fromFlags).filter(([, v]) => v !== undefined)),
  };
  if (Object.keys(set).length) merged.set = set;
  if (merged.preset === undefined)
    throw new CliError(
      'no preset given',
      2,
      'pass --preset NAME (see --help for the list) or put "preset" in the --from file',
    );
  return merged;
}

// Warnings and notes for the admin, on stderr (stdout may be the file itself).
function tell(result: Generated): void {
  for (const w of result.warnings) process.stderr.write(`warning: ${w.key ? `${w.key}: ` : ''}${w.message}\n`);
}

// `generate oci-conf`: the file on stdout, or at OUTPUT with its helper scripts beside it.
export function generateOciConfCommand(flags: GenerateFlags & { output?: string; force?: boolean }): void {
  const result = generate(mergeOptions(flags));
  tell(result);
  if (!flags.output) {
    process.stdout.write(result.text);
    if (result.helpers.length)
      process.stderr.write(
        `note: preset ${result.options.preset} needs helper scripts (${result.helpers.map((h) => h.name).join(', ')}): use -o FILE or \`slurm-oci generate site\` to write them\n`,
      );
    return;
  }
  const dir = path.dirname(path.resolve(flags.output));
  // every file is checked before any is written: a refusal leaves everything as it was
  for (const file of [flags.output, ...result.helpers.map((h) => path.join(dir, h.name))])
    assertWritable(file, !!flags.force);
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(flags.output, result.text, 0o644);
  process.stderr.write(`wrote ${flags.output}\n`);
  for (const h of result.helpers) {
    const file = path.join(dir, h.name);
    writeFileAtomic(file, h.content, 0o755);
    process.stderr.write(`wrote ${file} (install it as ${h.install})\n`);
  }
}

// `generate site`: the whole kit in OUT (new or empty): oci.conf, helpers and a README.
export function generateSiteCommand(flags: GenerateFlags & { out: string }): void {
  const result = generate(mergeOptions(flags));
  const st = fs.statSync(flags.out, { throwIfNoEntry: false });
  if (st && !st.isDirectory())
    throw new CliError(`${flags.out} exists and is not a directory`, 2, 'choose a new directory for the kit');
  if (st && fs.readdirSync(flags.out).length)
    throw new CliError(`${flags.out} exists and is not empty`, 2, 'choose a new directory for the kit');
  const readme = render('oci-templates/site-README.md.hbs', {
    ...result,
    preset: result.options.preset,
    warnings: result.warnings.map((w) => `${w.key ? `${w.key}: ` : ''}${w.message}`),
  });
  fs.mkdirSync(flags.out, { recursive: true });
  const files: [string, string, number][] = [
    ['oci.conf', result.text, 0o644],
    ...result.helpers.map((h): [string, string, number] => [h.name, h.content, 0o755]),
    ['README.md', readme, 0o644],
  ];
  try {
    for (const [name, text, mode] of files) writeFileAtomic(path.join(flags.out, name), text, mode);
  } catch (error) {
    // a full disk half way through leaves no half kit: the directory was new or empty
    for (const [name] of files) fs.rmSync(path.join(flags.out, name), { force: true });
    if (!st) fs.rmSync(flags.out, { recursive: true, force: true });
    throw error;
  }
  process.stderr.write(
    `wrote ${flags.out}/ (oci.conf, ${[...result.helpers.map((h) => h.name), 'README.md'].join(', ')}); see ${flags.out}/README.md\n`,
  );
}
