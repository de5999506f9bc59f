// `slurm-oci bundle validate`: the runtime-spec schema plus the checks a runtime makes before it
// starts (the rootfs exists, there is a command), each failure on its own line.
import fs from 'node:fs';
import path from 'node:path';
import { config as configSchema } from '../generated/oci-validators.cjs';
import { assertValid } from '../schema/validate.js';
import { CliError } from '../errors.js';
import { readBundleConfig } from './config-file.js';

export type Spec = {
  ociVersion: string;
  annotations?: Record<string, string>;
  root?: { path: string };
  process?: { args?: string[] };
};

// Throws one CliError listing every problem of the bundle in DIR; returns what was checked and the
// parsed config (SPEC, not printed by `bundle validate`).
export function validateBundle(dir: string): { config: string; rootfs: string; spec: Spec } {
  const file = path.join(dir, 'config.json');
  const config = assertValid<Spec>(configSchema, readBundleConfig(dir), file);
  const problems: string[] = [];
  const rootfs = config.root ? path.resolve(dir, config.root.path) : '';
  if (!config.root) problems.push('/root: missing (the runtime needs root.path)');
  else if (!fs.statSync(rootfs, { throwIfNoEntry: false })?.isDirectory()) {
    problems.push(`/root/path: ${rootfs} is not a directory`);
  }
  if (!config.process?.args?.length) problems.push('/process/args: missing or empty (nothing to run)');
  if (problems.length) {
    throw new CliError(
      `${file} is invalid:\n  ${problems.join('\n  ')}`,
      1,
      'fix config.json, or recreate it with `slurm-oci bundle create`',
    );
  }
  return { config: file, rootfs, spec: config };
}
