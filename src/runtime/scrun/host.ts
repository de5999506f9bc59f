// What the scrun supervisor and cleanup ask of the node: /proc, the Slurm controller and scrun
// itself, behind one small interface so their logic (retries, exit codes, a stuck anchor) gets
// unit tests with a fake (test/runtime/scrun/fake-host.ts) as well as the cluster suite.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Hand } from '../io.js';
import { captureAsync, type Captured } from '../spawn.js';
import type { ContainerRecord } from '../store.js';
import { anchorsOf, childrenOf, cmdlineOf, procStat, type ProcStat } from './proc.js';
import { cancelJob, findJob, hasSteps, jobEnd, pingTrouble, type JobEnd } from './slurm.js';

// A running `scrun create`: its exit, and the moment the anchor and srun it started are all gone
// (they inherit its stderr pipe, so the pipe's end says so without polling).
export type CreateRun = { exited: Promise<{ code: number; stderr: string }>; gone: Promise<void> };

export interface ScrunHost {
  stat(pid: number): ProcStat | undefined;
  children(pid: number): ProcStat[];
  // the processes titled `scrun: ID` (anchors of container ID)
  anchorsOf(id: string): number[];
  kill(pid: number, signal: NodeJS.Signals | number): void;
  // the controller's answers; never blocking, since the runtime server supervises many containers
  findJob(id: string, stale: ReadonlySet<number>): Promise<number | undefined>;
  jobEnd(jobId: number): Promise<JobEnd | undefined>;
  hasSteps(jobId: number): Promise<boolean>;
  cancel(jobId: number, signal?: number): Promise<void>;
  // scrun ARGS (start, kill, delete), captured
  scrun(args: string[], timeoutMs: number): Promise<Captured>;
  // the arguments PID runs with (srun's name the container's job), [] when gone
  cmdline(pid: number): string[];
  // scrun create, its log at debug level: stderr is held until it exits 0, then passed to PASS_ON
  // (the container's stderr)
  scrunCreate(args: string[], abort: AbortSignal, passOn: (chunk: Buffer) => void): CreateRun;
  // after MS (unless ENDED fires first), whether the controller answers `scontrol ping`: why not
  controllerDown(ms: number, ended: AbortSignal): Promise<string | undefined>;
  sleep(ms: number): Promise<void>;
  now(): number;
}

// scrun create logs to its --log file at debug level (unless the caller chose a level): the anchor
// then writes how srun ended (anchor-log.ts), which spares asking the controller.
const LOG_LEVEL = 'SCRUN_FILE_DEBUG';
const logLevel = (env: NodeJS.ProcessEnv): string => env[LOG_LEVEL] ?? 'debug';

// The last non-empty line of a command's output: the one that says what went wrong.
export const lastLine = (text: string): string => text.trim().split('\n').filter(Boolean).pop() ?? '';

// Whether PID runs and is the same process as when START was read (pids are reused).
export function isAlive(host: Pick<ScrunHost, 'stat'>, pid: number | undefined, start?: number): boolean {
  if (!pid) return false;
  const s = host.stat(pid);
  return !!s && s.state !== 'Z' && s.state !== 'X' && (start === undefined || s.start === start);
}

// The node itself, for RECORD's container.
export function realHost(record: ContainerRecord, env: NodeJS.ProcessEnv = process.env): ScrunHost {
  const slurm = record.slurm;
  return {
    stat: procStat,
    children: childrenOf,
    anchorsOf,
    kill(pid, signal) {
      try {
        process.kill(pid, signal);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    },
    findJob: async (id, stale) => (slurm ? findJob(slurm, id, stale, env) : undefined),
    jobEnd: async (jobId) => (slurm ? jobEnd(slurm, jobId, env) : undefined),
    hasSteps: async (jobId) => !!slurm && hasSteps(slurm, jobId, env),
    cancel: async (jobId, signal) => {
      if (slurm) await cancelJob(slurm, jobId, signal, env);
    },
    scrun: (args, timeoutMs) => captureAsync(record.binary, args, timeoutMs, env),
    cmdline: cmdlineOf,
    scrunCreate(args, abort, passOn) {
      const child = spawn(record.binary, args, {
        stdio: ['inherit', 'inherit', 'pipe'],
        env: { ...env, [LOG_LEVEL]: logLevel(env) },
      });
      let stderr = '';
      let created = false;
      child.stderr!.on('data', (chunk: Buffer) => (created ? passOn(chunk) : (stderr += chunk.toString())));
      const gone = new Promise<void>((resolve) => child.stderr!.once('close', resolve));
      const onAbort = () => child.kill('SIGTERM');
      abort.addEventListener('abort', onAbort, { once: true });
      const exited = new Promise<{ code: number; stderr: string }>((resolve) =>
        child.once('exit', (code, signal) => {
          abort.removeEventListener('abort', onAbort);
          created = code === 0;
          resolve({ code: code ?? (signal === 'SIGTERM' ? 143 : 128), stderr });
        }),
      );
      return { exited, gone };
    },
    async controllerDown(ms, ended) {
      if (!slurm) return undefined;
      try {
        await sleep(ms, undefined, { signal: ended });
      } catch {
        return undefined;
      }
      const ping = await captureAsync(slurm.scontrol, ['ping'], 10_000, env);
      return ended.aborted ? undefined : pingTrouble(ping);
    },
    sleep: (ms) => sleep(ms),
    now: () => Date.now(),
  };
}

// The node as the runtime server sees it while it supervises through HAND (io.ts): scrun create
// runs in the hand, with the container's stdio; the rest as realHost, with the create call's environment.
export function handHost(record: ContainerRecord, hand: Hand): ScrunHost {
  return {
    ...realHost(record, hand.env),
    scrunCreate(args, abort, passOn) {
      let stderr = '';
      let created = false;
      // the hand runs it in the caller's environment: the log level goes in through env(1)
      const run = hand.run('/usr/bin/env', [`${LOG_LEVEL}=${logLevel(hand.env)}`, record.binary, ...args], (chunk) =>
        created ? passOn(chunk) : (stderr += chunk.toString()),
      );
      const onAbort = () => void run.pid.then((pid) => pid && realHost(record).kill(pid, 'SIGTERM'));
      abort.addEventListener('abort', onAbort, { once: true });
      const exited = run.exited.then((code) => {
        abort.removeEventListener('abort', onAbort);
        created = code === 0;
        return { code, stderr };
      });
      return { exited, gone: run.gone };
    },
  };
}
