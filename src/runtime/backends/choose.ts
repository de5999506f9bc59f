// Picks the backend at create: --backend, else SLURM_OCI_BACKEND, else the config files (system,
// then the user's), else auto (scrun when a Slurm controller answers, else crun, else runc).
// Binaries are resolved to absolute paths here, once, and recorded for every later call.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../../errors.js';
import { runtimeConfig } from '../../generated/validators.cjs';
import { assertValid } from '../../schema/validate.js';
import { capture } from '../spawn.js';
import { pingTrouble } from '../scrun/slurm.js';
import { which } from '../../util/which.js';
import type { Context } from '../context.js';
import type { BackendName } from '../store.js';

type RuntimeConfig = { backend?: BackendName | 'auto'; paths?: Record<string, string> };
export type Choice = { backend: BackendName; binary: string; paths: Record<string, string> };

const NAMES = ['auto', 'scrun', 'crun', 'runc'];

// The config files that exist, system first; each is checked against schemas/runtime-config.schema.json.
function readConfigs(env: NodeJS.ProcessEnv): RuntimeConfig {
  const home = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  const files = [
    env.SLURM_OCI_RUNTIME_CONFIG || '/etc/slurm-oci/runtime.json',
    path.join(home, 'slurm-oci/runtime.json'),
  ];
  let merged: RuntimeConfig = {};
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`, 1);
    }
    const config = assertValid<RuntimeConfig>(runtimeConfig, data, file);
    merged = { backend: config.backend ?? merged.backend, paths: { ...merged.paths, ...config.paths } };
  }
  return merged;
}

// Whether a Slurm controller answers `scontrol ping`.
function controllerUp(paths: Record<string, string>, env: NodeJS.ProcessEnv): boolean {
  const scontrol = which('scontrol', paths, env);
  return (
    !!scontrol && !!which('scrun', paths, env) && pingTrouble(capture(scontrol, ['ping'], 10_000, env)) === undefined
  );
}

// Resolves the backend for a new container; REQUESTED is the --backend flag, if given.
export async function chooseBackend(ctx: Context, requested?: string): Promise<Choice> {
  const config = readConfigs(ctx.env);
  const wanted = requested ?? ctx.env.SLURM_OCI_BACKEND ?? config.backend ?? 'auto';
  if (!NAMES.includes(wanted)) {
    throw new CliError(`unknown backend "${wanted}"`, 1, `use one of ${NAMES.join(', ')}`);
  }
  const paths = config.paths ?? {};
  let backend = wanted as BackendName | 'auto';
  if (backend === 'auto') {
    backend = controllerUp(paths, ctx.env) ? 'scrun' : which('crun', paths, ctx.env) ? 'crun' : 'runc';
  }
  const binary = which(backend, paths, ctx.env);
  if (!binary) {
    throw new CliError(
      `backend ${backend}: the program "${backend}" was not found`,
      1,
      `install it, put it in PATH, or set "paths": {"${backend}": "/abs/path"} in /etc/slurm-oci/runtime.json`,
    );
  }
  return { backend, binary, paths };
}
