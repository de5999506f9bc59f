// Renders the two sbatch scripts of a launch (oci-templates/workflow/) and the sbatch command lines
// that submit them. Resources go on the sbatch command line (an argv, no shell), so no path or
// value is ever re-parsed from `#SBATCH` lines; the scripts quote every value with the `sh` helper.
import path from 'node:path';
import { CliError } from '../errors.js';
import { packageFile } from '../util/package-root.js';
import { render } from '../util/template.js';
import type { ConfigValues, WorkflowConfig } from './load-config.js';

// What a launch needs to render: the config, where its directory goes, and options.
export type LaunchPlan = {
  config: WorkflowConfig;
  // `<root>/<stamp>_`: the directory is this plus the id of the first job submitted.
  dirPrefix: string;
  debug: boolean;
};

// One job to submit: the sbatch argv (the script goes on its stdin) and the script.
export type JobSubmission = { argv: string[]; script: string };

// Keys the runtime job passes on to the sandbox server (Podman's configuration, debug).
const RUNTIME_ENV = ['CONTAINERS_CONF', 'CONTAINERS_STORAGE_CONF', 'SKYRL_DEBUG'];

// sbatch expands %j, %u... in --output; a literal % in a path must be doubled.
const outputPattern = (file: string) => file.replaceAll('%', '%%');

const values = (plan: LaunchPlan): ConfigValues => ({
  ...plan.config.values,
  ...(plan.debug ? { SKYRL_DEBUG: '1' } : {}),
});

const common = (plan: LaunchPlan, role: string, dirJobId?: string) =>
  render('oci-templates/workflow/common.sh.hbs', {
    dirPrefix: plan.dirPrefix,
    dirJobId,
    debug: plan.debug ? '1' : '0',
    role,
  });

// The options both jobs share: account, time limit, and the log files in the coordination directory.
function sharedOptions(plan: LaunchPlan, role: string, dirJobId?: string): string[] {
  const v = plan.config.values;
  const dir = outputPattern(plan.dirPrefix) + (dirJobId ?? '%j');
  return [
    ...(v.ACCOUNT ? [`--account=${v.ACCOUNT}`] : []),
    `--time=${v.TIME_LIMIT}`,
    `--output=${dir}/${role}_%j.out`,
    `--error=${dir}/${role}_%j.err`,
  ];
}

// The runtime (sandbox server) job: always the first job submitted, held until the directory exists.
export function renderRuntimeJob(plan: LaunchPlan): JobSubmission {
  const v = values(plan);
  const nodes = Number(v.RUNTIME_NODES ?? '1');
  const port = Number(v.RUNTIME_PORT ?? '8000');
  if (nodes > 1 && port === 65535) {
    throw new CliError(
      'RUNTIME_PORT=65535 leaves no port for the workers (RUNTIME_PORT+1) of RUNTIME_NODES > 1',
      2,
      'choose a lower RUNTIME_PORT',
    );
  }
  const env = Object.fromEntries(RUNTIME_ENV.filter((k) => v[k] !== undefined).map((k) => [k, v[k]]));
  const script = render('oci-templates/workflow/runtime.sbatch.hbs', {
    configName: plan.config.name,
    common: common(plan, 'runtime'),
    env,
    slurmOci: packageFile('bin/slurm-oci'),
    port: String(port),
    // RUNTIME_NODES > 1: one worker per node (srun) on the next port, the front on the first node
    ...(nodes > 1
      ? {
          pool: {
            nodes: String(nodes),
            workerPort: String(port + 1),
            cpus: v.CPUS_FOR_RUNTIME,
            readyTimeout: v.RUNTIME_READY_TIMEOUT,
          },
        }
      : {}),
    image: v.CONTAINER_IMAGE,
    maxParallel: v.MAX_PARALLEL_AGENTS,
    cpusPerWorker: v.CPUS_PER_WORKER,
    memoryPerWorker: v.MEMORY_PER_WORKER,
    runtime: v.SANDBOX_RUNTIME,
    debugServer: plan.debug,
  });
  const argv = [
    'sbatch',
    '--parsable',
    '--hold',
    '--job-name=skyrl-runtime',
    `--partition=${v.CPU_PARTITION}`,
    ...(nodes > 1 ? [`--nodes=${nodes}`, '--ntasks-per-node=1'] : ['--nodes=1', '--ntasks=1']),
    `--cpus-per-task=${v.CPUS_FOR_RUNTIME}`,
    `--mem=${v.RUNTIME_MEMORY}`,
    '--signal=B:TERM@60',
    ...sharedOptions(plan, 'runtime'),
  ];
  return { argv, script };
}

// The training job. With RUNTIME_JOB_ID it starts after that job and watches it; without (the
// server is external) it is the first job, held until the directory exists.
export function renderTrainingJob(plan: LaunchPlan, runtimeJobId?: string): JobSubmission {
  const v = values(plan);
  const script = render('oci-templates/workflow/training.sbatch.hbs', {
    configName: plan.config.name,
    common: common(plan, 'training', runtimeJobId),
    runtimeJobId: runtimeJobId ?? '',
    readyTimeout: v.RUNTIME_READY_TIMEOUT,
    env: v,
  });
  const argv = [
    'sbatch',
    '--parsable',
    ...(runtimeJobId ? [`--dependency=after:${runtimeJobId}`, '--kill-on-invalid-dep=yes'] : ['--hold']),
    '--job-name=skyrl-training',
    `--partition=${v.GPU_PARTITION}`,
    `--nodes=${v.GPU_NODES}`,
    '--ntasks-per-node=1',
    `--gres=gpu:${v.GPUS_PER_NODE}`,
    `--cpus-per-task=${v.TRAINING_CPUS}`,
    `--mem=${v.TRAINING_MEMORY}`,
    ...sharedOptions(plan, 'training', runtimeJobId),
  ];
  return { argv, script };
}

// `<root>/<stamp>_`, the prefix of this launch's directory.
export const dirPrefixOf = (root: string, dirStamp: string): string => path.join(root, `${dirStamp}_`);
