// Finds a workflow config (a shipped name like `dev`, or a file), parses it and checks every key
// against schemas/workflow-config.schema.json, so a bad config stops before anything is submitted.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { CliError } from '../errors.js';
import { workflowConfig } from '../generated/validators.cjs';
import { packageFile } from '../util/package-root.js';
import { parseConf } from './config.js';

type Required =
  | 'GPU_PARTITION'
  | 'CPU_PARTITION'
  | 'GPU_NODES'
  | 'GPUS_PER_NODE'
  | 'TRAINING_CPUS'
  | 'TRAINING_MEMORY'
  | 'CPUS_FOR_RUNTIME'
  | 'RUNTIME_MEMORY'
  | 'CPUS_PER_WORKER'
  | 'MEMORY_PER_WORKER'
  | 'MAX_PARALLEL_AGENTS'
  | 'TIME_LIMIT'
  | 'RUNTIME_READY_TIMEOUT'
  | 'CONTAINER_IMAGE'
  | 'TRAINING_COMMAND';

// The checked keys of a config (all strings, as the shell reads them); the schema lists the optional ones.
export type ConfigValues = Record<Required, string> & Partial<Record<string, string>>;

// A loaded config: where it came from, its text (copied into the coordination directory) and its keys.
export type WorkflowConfig = { name: string; file: string; text: string; values: ConfigValues };

// The configs shipped in workflow/configs/, usable by name.
export const SHIPPED_CONFIGS = ['dev', 'production'];
const SCHEMA = 'schemas/workflow-config.schema.json';

// The file behind `--config NAME|FILE`: shipped names first, then a path.
export function configFile(nameOrFile: string): string {
  if (SHIPPED_CONFIGS.includes(nameOrFile)) return packageFile(`workflow/configs/${nameOrFile}.conf`);
  if (fs.existsSync(nameOrFile) && fs.statSync(nameOrFile).isFile()) return path.resolve(nameOrFile);
  throw new CliError(
    `config '${nameOrFile}' is neither a shipped config (${SHIPPED_CONFIGS.join(', ')}) nor a readable file`,
    2,
    'pass --config dev, --config production, or the path of a .conf file',
  );
}

// Loads and checks a config; every problem is reported at once, each with its file and line.
export function loadConfig(nameOrFile: string, env: NodeJS.ProcessEnv = process.env): WorkflowConfig {
  const file = configFile(nameOrFile);
  const text = fs.readFileSync(file, 'utf8');
  const { values, lines } = parseConf(text, file, env);
  if (!workflowConfig(values)) {
    const problems = describeProblems(workflowConfig.errors ?? [], values, lines, file);
    throw new CliError(
      `${problems.length === 1 ? problems[0] : `config ${file} has ${problems.length} problems:\n  ${problems.join('\n  ')}`}`,
      2,
      `fix the config; nothing was submitted (the keys are listed in ${packageFile(SCHEMA)})`,
    );
  }
  return { name: path.basename(file, '.conf'), file, text, values: values as ConfigValues };
}

// Where coordination directories go: --jobs-dir, then COORDINATION_ROOT, then ~/.skyrl_jobs.
export const coordinationRoot = (values: Partial<ConfigValues>, jobsDir?: string): string =>
  path.resolve(jobsDir ?? values.COORDINATION_ROOT ?? path.join(os.homedir(), '.skyrl_jobs'));

// One line per schema error, naming the key, the file and the line, in words instead of regexes.
function describeProblems(
  errors: ErrorObject[],
  values: Record<string, string>,
  lines: Record<string, number>,
  file: string,
): string[] {
  const schema = JSON.parse(fs.readFileSync(packageFile(SCHEMA), 'utf8'));
  return errors.map((e) => {
    if (e.keyword === 'required') {
      return `${file}: missing required key ${String(e.params.missingProperty)}`;
    }
    if (e.keyword === 'additionalProperties') {
      const key = String(e.params.additionalProperty);
      return `${file}:${lines[key]}: unknown key ${key}`;
    }
    const key = e.instancePath.slice(1);
    const definition = e.schemaPath
      .replace(/^#\//, '')
      .split('/')
      .slice(0, -1)
      .reduce((node, part) => node?.[part], schema);
    const wanted = definition?.description ?? e.message;
    return `${file}:${lines[key]}: ${key}=${JSON.stringify(values[key])} is not ${wanted}`;
  });
}
