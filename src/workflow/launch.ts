// `slurm-oci workflow launch`: checks the config, renders both jobs, and submits them so that the
// coordination directory exists before either job can run: the first job is submitted held, its id
// names the directory, the second job depends on it, and only then is the first released.
import path from 'node:path';
import { readText } from '../util/files.js';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';
import { shellJoin } from '../util/shell.js';
import { FILES, createCoordinationDir, stamp } from './coordination.js';
import { coordinationRoot, loadConfig } from './load-config.js';
import { dirPrefixOf, renderRuntimeJob, renderTrainingJob, type LaunchPlan } from './render.js';
import { cancelJobs, releaseJob, submitJob } from './submit.js';
import { waitForReady } from './wait.js';

// The options of `workflow launch`.
export type LaunchOptions = {
  config: string;
  dryRun?: boolean;
  runtimeOnly?: boolean;
  runtimeUrl?: string;
  apiKeyFile?: string;
  debug?: boolean;
  wait?: boolean;
  jobsDir?: string;
  json?: boolean;
};

// What a launch submitted, as `launch --format json` prints it.
export type LaunchResult = { dir: string; runtimeJobId?: string; trainingJobId?: string; url?: string };

// The environment variable that may carry the key of an existing server (--runtime-url).
export const API_KEY_ENV = 'SANDBOX_REMOTE_RUNTIME_API_KEY';

// The URL and key of an existing server, checked before anything is submitted.
function externalRuntime(options: LaunchOptions): { url: string; key: string } | undefined {
  if (!options.runtimeUrl) return undefined;
  let url: URL;
  try {
    url = new URL(options.runtimeUrl);
  } catch {
    throw new CliError(`--runtime-url ${options.runtimeUrl} is not a URL`, 2, 'give it like http://host:8000');
  }
  if (!/^https?:$/.test(url.protocol))
    throw new CliError(`--runtime-url must be http or https, not ${url.protocol}`, 2);
  const key = options.apiKeyFile ? readText(options.apiKeyFile).trim() : process.env[API_KEY_ENV]?.trim();
  if (!key) {
    throw new CliError("--runtime-url needs the server's API key", 2, `pass --api-key-file FILE or set ${API_KEY_ENV}`);
  }
  return { url: options.runtimeUrl, key };
}

// Prints both scripts and the commands a launch would run; submits nothing.
function printDryRun(plan: LaunchPlan, options: LaunchOptions): void {
  const out: string[] = [];
  const runtime = options.runtimeUrl ? undefined : renderRuntimeJob(plan);
  const training = options.runtimeOnly ? undefined : renderTrainingJob(plan, runtime ? '<runtime-job-id>' : undefined);
  const first = runtime ? 'runtime' : 'training';
  if (runtime) out.push('# ---- runtime.sbatch', runtime.script);
  if (training) out.push('# ---- training.sbatch', training.script);
  out.push(`# ---- commands (the directory is ${plan.dirPrefix}<${first}-job-id>)`);
  if (runtime) out.push(`${shellJoin(runtime.argv)} < runtime.sbatch`);
  if (training) out.push(`${shellJoin(training.argv)} < training.sbatch`);
  out.push(`scontrol release <${first}-job-id>`, '# dry run: nothing was submitted');
  process.stdout.write(`${out.join('\n')}\n`);
}

// Writes what the jobs and the `workflow` commands read later into the new directory.
function writeCoordinationFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) writeFileAtomic(path.join(dir, name), text);
}

// Runs a launch; returns what it submitted (or undefined for a dry run).
export async function launch(options: LaunchOptions): Promise<LaunchResult | undefined> {
  if (options.runtimeOnly && options.runtimeUrl) {
    throw new CliError('--runtime-only and --runtime-url exclude each other', 2, 'pick one');
  }
  const config = loadConfig(options.config);
  const external = externalRuntime(options);
  const root = coordinationRoot(config.values, options.jobsDir);
  const dirStamp = stamp(new Date());
  const plan: LaunchPlan = { config, dirPrefix: dirPrefixOf(root, dirStamp), debug: Boolean(options.debug) };
  if (options.dryRun) return (printDryRun(plan, options), undefined);

  const runtime = external ? undefined : renderRuntimeJob(plan);
  const firstJob = runtime ?? renderTrainingJob(plan);
  const firstId = await submitJob(firstJob, runtime ? 'runtime' : 'training');
  const submitted = [firstId];
  let result: LaunchResult;
  try {
    const dir = createCoordinationDir(root, dirStamp, firstId);
    result = { dir, runtimeJobId: runtime ? firstId : undefined, url: external?.url };
    const files: Record<string, string> = { [path.basename(config.file)]: config.text };
    if (runtime) {
      files[FILES.runtimeScript] = runtime.script;
      files[FILES.runtimeJob] = `${firstId}\n`;
    } else {
      files[FILES.trainingScript] = firstJob.script;
      files[FILES.trainingJob] = `${firstId}\n`;
      result.trainingJobId = firstId;
      writeFileAtomic(path.join(dir, FILES.key), `${external!.key}\n`, 0o600);
      files[FILES.url] = `${external!.url}\n`;
    }
    writeCoordinationFiles(dir, files);
    if (runtime && !options.runtimeOnly) {
      const training = renderTrainingJob(plan, firstId);
      result.trainingJobId = await submitJob(training, 'training');
      submitted.push(result.trainingJobId);
      writeCoordinationFiles(dir, {
        [FILES.trainingScript]: training.script,
        [FILES.trainingJob]: `${result.trainingJobId}\n`,
      });
    }
    const launchInfo = {
      config: config.file,
      stamp: dirStamp,
      ...result,
      debug: plan.debug,
      createdAt: new Date().toISOString(),
    };
    writeFileAtomic(path.join(dir, FILES.launch), `${JSON.stringify(launchInfo, null, 2)}\n`);
    if (external) writeFileAtomic(path.join(dir, FILES.ready), '');
    await releaseJob(firstId);
  } catch (error) {
    await cancelJobs(submitted).catch(() => {});
    throw error;
  }
  if (!options.json) report(result);
  // Waiting is only watching: a failure here leaves the jobs to end by themselves.
  if (options.wait && !external)
    result.url = await waitForReady(result.dir, Number(config.values.RUNTIME_READY_TIMEOUT));
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  return result;
}

// Tells the user what was submitted and how to follow it.
function report(result: LaunchResult): void {
  const lines = [
    `coordination directory: ${result.dir}`,
    ...(result.runtimeJobId ? [`runtime job:  ${result.runtimeJobId}`] : []),
    ...(result.trainingJobId
      ? [`training job: ${result.trainingJobId}${result.runtimeJobId ? ` (starts after ${result.runtimeJobId})` : ''}`]
      : []),
    `follow it:    slurm-oci workflow status ${shellJoin([result.dir])}`,
    `              slurm-oci workflow logs ${shellJoin([result.dir])} --follow`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
