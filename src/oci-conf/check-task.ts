// Lays out a test task the way slurmstepd does before it runs the runtime: a step spool dir with
// task-0 inside, the bundle's config.json rewritten there (absolute root.path, the task's argv,
// no terminal) so that %b is that dir, and the %e environment file when CreateEnvFile asks for one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBundleConfig } from '../bundle/config-file.js';
import type { RunAs } from './check-run.js';
import type { PatternContext } from './patterns.js';

// One test task: the bundle, where its spool dirs go, and what Slurm would know about it.
export type TaskSetup = {
  bundle: string;
  workRoot: string;
  jobId: number;
  stepId: number;
  argv: string[];
  ignoreConfig: boolean;
  envFile: 'null' | 'newline' | 'disabled';
  user: { name: string; uid: number };
  runAs?: RunAs;
};

// A directory the task's user owns (slurmstepd chowns the spool dirs to the user).
function ownedDir(dir: string, runAs?: RunAs): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
  return dir;
}

// Prepares the spool dirs of one step and returns the pattern context of its task 0.
export function prepareTask(s: TaskSetup): PatternContext {
  const spoolDir = ownedDir(path.join(s.workRoot, `oci-job${s.jobId}-${s.stepId}`), s.runAs);
  const taskDir = ownedDir(path.join(spoolDir, 'task-0'), s.runAs);
  const envFile = path.join(taskDir, 'environment');
  const env = [`SLURM_JOB_ID=${s.jobId}`, `SLURM_STEP_ID=${s.stepId}`, 'SLURM_PROCID=0', `USER=${s.user.name}`];
  if (s.envFile !== 'disabled')
    fs.writeFileSync(envFile, s.envFile === 'newline' ? `${env.join('\n')}\n` : `${env.join('\0')}\0`, { mode: 0o750 });
  let bundle = s.bundle;
  let rootfs = s.bundle;
  if (!s.ignoreConfig) {
    const config = readBundleConfig(s.bundle) as { root?: { path?: string }; process?: Record<string, unknown> };
    rootfs = path.resolve(s.bundle, config.root?.path ?? 'rootfs');
    const rewritten = {
      ...config,
      root: { ...config.root, path: rootfs },
      process: { ...config.process, args: s.argv, terminal: false },
    };
    fs.writeFileSync(path.join(taskDir, 'config.json'), JSON.stringify(rewritten, null, 2), { mode: 0o644 });
    bundle = taskDir;
  }
  if (s.runAs) for (const f of fs.readdirSync(taskDir)) fs.chownSync(path.join(taskDir, f), s.runAs.uid, s.runAs.gid);
  return {
    bundle,
    spoolDir,
    envFile,
    jobId: s.jobId,
    stepId: s.stepId,
    node: os.hostname().split('.')[0],
    user: s.user.name,
    uid: s.user.uid,
    rootfs,
    workDir: s.runAs?.home ?? os.homedir(),
    task: { id: 0, pid: 0, argv: s.ignoreConfig ? s.argv : [] },
  };
}
