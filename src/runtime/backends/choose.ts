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
import { which } from '../which.js';
import type { BackendName } from '../store.js';

type RuntimeConfig = { backend?: BackendName | 'auto'; paths?: Record<string, string> };
export type Choice = { backend: BackendName; binary: string; paths: Record<string, string> };

const NAMES = ['auto', 'scrun', 'crun', 'runc'];

// The config files that exist, system first; each is checked against schemas/runtime-config.schema.json.
function readConfigs(): RuntimeConfig {
  const home = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  const files = [process.env.SLURM_OCI_RUNTIME_CONFIG || '/etc/slurm-oci/runtime.json', path.join(home, 'slurm-oci/runtime.json')];
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
function controllerUp(paths: Record<string, string>): boolean {
  const scontrol = which('scontrol', paths);
  return !!scontrol && !!which('scrun', paths) && / is UP/.test(capture(scontrol, ['ping'], 10_000).stdout);
}

// Resolves the backend for a new container; REQUESTED is the --backend flag, if given.
export async function chooseBackend(requested?: string): Promise<Choice> {
  const config = readConfigs();
  const wanted = requested ?? process.env.SLURM_OCI_BACKEND ?? config.backend ?? 'auto';
  if (!NAMES.includes(wanted)) {
    throw new CliError(`unknown backend "${wanted}"`, 1, `use one of ${NAMES.join(', ')}`);
  }
  const paths = config.paths ?? {};
  let backend = wanted as BackendName | 'auto';
  if (backend === 'auto') {
    backend = controllerUp(paths) ? 'scrun' : which('crun', paths) ? 'crun' : 'runc';
  }
  const binary = which(backend, paths);
  if (!binary) {
    throw new CliError(`backend ${backend}: the program "${backend}" was not found`, 1,
      `install it, put it in PATH, or set "paths": {"${backend}": "/abs/path"} in /etc/slurm-oci/runtime.json`);
  }
  return { backend, binary, paths };
}
