// `check oci-conf`: runs a file's RunTime* commands outside Slurm for a test container, in the
// order and the contexts slurmstepd uses (task context to start; cleanup context, where %t = -1,
// %p = 4294967295 and %@ = "/bin/false", for Query/Kill/Delete at step end), and judges each one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { atLeast, type SlurmVersion } from './keys.js';
import type { OciConf } from './parse.js';
import { expandPatterns, type PatternContext } from './patterns.js';
import { runCommand, startCommand, type Finished, type RunAs, type Running } from './check-run.js';
import { prepareTask } from './check-task.js';

// One judged command: what ran, how it ended, and why that is good or bad.
export type Step = {
  phase: string;
  key: string;
  command: string;
  exitCode: number | null;
  output: string;
  seconds: number;
  ok: boolean;
  note: string;
};
// The whole check; PASSED when every step is ok.
export type CheckReport = { mode: 'run' | 'create/start'; ignoreConfig: boolean; steps: Step[]; passed: boolean };

// What to check and as whom.
export type CheckOptions = {
  conf: OciConf;
  version: SlurmVersion;
  bundle: string;
  user: { name: string; uid: number };
  runAs?: RunAs;
  timeoutMs: number;
  onStep?: (step: Step) => void; // progress: each step as soon as it is judged
};

// The test command: prints a marker and exits 3, so exit-code pass-through is visible.
export const MARKER = 'slurm-oci-check-ok';
const QUICK = ['/bin/sh', '-c', `echo ${MARKER}; exit 3`];
// A long task that ends on SIGTERM even as the container's pid 1 (which ignores signals it has no handler for).
const LONG = ['/bin/sh', '-c', 'trap "exit 143" TERM; echo started; sleep 300 & wait'];

// The status a Query printed, if its whole output is JSON with a "status" string (as Slurm requires).
export function queryStatus(r: Finished): string | undefined {
  if (r.exitCode !== 0) return undefined;
  try {
    const status = (JSON.parse(r.output) as { status?: unknown }).status;
    return typeof status === 'string' ? status.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Runs the check and returns every step with its verdict.
export async function checkOciConf(o: CheckOptions): Promise<CheckReport> {
  const conf = o.conf;
  const ignoreConfig = conf.IgnoreFileConfigJson === true && atLeast(o.version, '23.02');
  const mode = typeof conf.RunTimeRun === 'string' ? 'run' : 'create/start';
  const workRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-oci-check-'));
  if (o.runAs) fs.chownSync(workRoot, o.runAs.uid, o.runAs.gid);
  const steps: Step[] = [];
  const record = (s: Step) => {
    steps.push(s);
    o.onStep?.(s);
  };
  const jobId = 4_000_000 + (process.pid % 1_000_000);
  const envFile = (typeof conf.CreateEnvFile === 'string' ? conf.CreateEnvFile : 'disabled') as
    'null' | 'newline' | 'disabled';
  const task = (stepId: number, argv: string[]) =>
    prepareTask({
      bundle: path.resolve(o.bundle),
      workRoot,
      jobId,
      stepId,
      argv,
      ignoreConfig,
      envFile,
      user: o.user,
      runAs: o.runAs,
    });
  const cmdOptions = (ctx: PatternContext) => ({
    cwd: ctx.task ? path.join(ctx.spoolDir, 'task-0') : ctx.spoolDir,
    runAs: o.runAs,
    timeoutMs: o.timeoutMs,
  });
  // Runs KEY for CTX and records it; JUDGE says whether the result is good and why.
  const step = async (
    phase: string,
    key: string,
    ctx: PatternContext,
    judge: (r: Finished) => [boolean, string],
  ): Promise<Finished | undefined> => {
    const value = conf[key];
    if (typeof value !== 'string') return undefined;
    const command = expandPatterns(value, ctx);
    const r = await runCommand(command, cmdOptions(ctx));
    const [ok, note] = r.timedOut
      ? [
          false,
          `no end of output after ${o.timeoutMs / 1000} s: slurmstepd would wait here forever (a process keeps the output pipe open)`,
        ]
      : judge(r);
    record({ phase, key, command, exitCode: r.exitCode, output: r.output, seconds: r.seconds, ok, note });
    return r;
  };
  const cleanup = (ctx: PatternContext): PatternContext => ({ ...ctx, task: null });
  const zero =
    (what: string) =>
    (r: Finished): [boolean, string] => [r.exitCode === 0, r.exitCode === 0 ? what : `exit ${r.exitCode}`];
  try {
    if (mode === 'run') await checkRunMode();
    else await checkCreateMode();
  } finally {
    fs.rmSync(workRoot, { recursive: true, force: true });
  }
  return { mode, ignoreConfig, steps, passed: steps.every((s) => s.ok) };

  // Run mode: a quick task (exit code and output pass through), then a long one killed at cleanup.
  async function checkRunMode(): Promise<void> {
    await step('run a task', 'RunTimeRun', task(0, QUICK), (r) => {
      const seen = r.output.includes(MARKER);
      return [
        seen && r.exitCode === 3,
        seen
          ? r.exitCode === 3
            ? 'the container ran; exit code 3 passed through'
            : `the container ran but exit code 3 came back as ${r.exitCode}`
          : 'the container did not run the command',
      ];
    });
    const ctx = task(1, LONG);
    const running = startCommand(expandPatterns(conf.RunTimeRun as string, ctx), cmdOptions(ctx));
    // a loaded node may take a while to start the container; Query needs it running
    for (let i = 0; i < 300 && !running.output().includes('started'); i++) await sleep(100);
    const wait = (ms: number) => Promise.race([running.done, sleep(ms).then(() => undefined)]);
    if (ignoreConfig) return endByGroupSignal(running, wait);
    const end = cleanup(ctx);
    await step('query at cleanup', 'RunTimeQuery', end, (r) => {
      const status = queryStatus(r);
      return [
        status === 'running',
        status
          ? `status ${status}`
          : 'no JSON "status" in the output: Slurm cannot see the container (does the id match without %t?)',
      ];
    });
    await step('kill at cleanup', 'RunTimeKill', end, zero('signal sent'));
    const killed = await wait(5_000);
    await step('delete at cleanup', 'RunTimeDelete', end, (r) => [
      r.exitCode === 0 || killed !== undefined,
      r.exitCode === 0 ? 'deleted' : 'nothing left to delete (run removes the container when it ends)',
    ]);
    const stopped = killed ?? (await wait(10_000));
    record({
      phase: 'task ends after Kill/Delete',
      key: 'RunTimeKill',
      command: '(wait up to 15 s)',
      exitCode: stopped?.exitCode ?? null,
      output: '',
      seconds: 0,
      ok: stopped !== undefined,
      note: killed
        ? 'the task stopped after Kill'
        : stopped
          ? 'the task stopped only after Delete'
          : 'the task still runs: Kill and Delete did not reach it',
    });
    if (!stopped) {
      // Our own clean-up with the task's id (the one Slurm's cleanup context may have missed).
      await runCommand(expandPatterns(conf.RunTimeDelete as string, ctx), cmdOptions(ctx));
      running.kill();
      await running.done;
    }
  }

  // IgnoreFileConfigJson: slurmstepd never runs Kill/Delete (no container status); a step ends by
  // signalling the task's process group, so that is what is tried here.
  async function endByGroupSignal(
    running: Running,
    wait: (ms: number) => Promise<Finished | undefined>,
  ): Promise<void> {
    running.signal('SIGTERM');
    const termed = await wait(5_000);
    if (!termed) running.kill();
    const stopped = termed ?? (await wait(10_000));
    const note = termed
      ? 'the task stopped on SIGTERM'
      : stopped
        ? 'the task stopped only on SIGKILL'
        : "a process outside the task's process group still holds its output: the container outlives the step";
    record({
      phase: "step end: signal the task's process group",
      key: 'RunTimeRun',
      command: `kill -TERM -${running.pid}`,
      exitCode: stopped?.exitCode ?? null,
      output: '',
      seconds: 0,
      ok: stopped !== undefined,
      note,
    });
    record({
      phase: 'cleanup',
      key: 'RunTimeKill',
      command: '(not run)',
      exitCode: null,
      output: '',
      seconds: 0,
      ok: true,
      note: 'with IgnoreFileConfigJson slurmstepd runs neither Kill nor Delete',
    });
  }

  // Create/start mode: create, wait for "created", start, poll until it stops, clean up.
  async function checkCreateMode(): Promise<void> {
    const ctx = task(0, QUICK);
    const created = await step('create', 'RunTimeCreate', ctx, zero('created'));
    if (created?.timedOut) {
      await runCommand(expandPatterns(conf.RunTimeDelete as string, ctx), cmdOptions(ctx));
      return;
    }
    await step('query after create', 'RunTimeQuery', ctx, (r) => [
      queryStatus(r) === 'created',
      `status ${queryStatus(r) ?? '(none)'}`,
    ]);
    await step(
      'start',
      'RunTimeStart',
      ctx,
      zero('started (create/start mode does not pass the container exit code through)'),
    );
    let status: string | undefined = 'running';
    for (let i = 0; i < 50 && status === 'running'; i++, await sleep(200))
      status = queryStatus(await runCommand(expandPatterns(conf.RunTimeQuery as string, ctx), cmdOptions(ctx)));
    record({
      phase: 'container stops',
      key: 'RunTimeQuery',
      command: '(poll up to 10 s)',
      exitCode: null,
      output: '',
      seconds: 0,
      ok: status !== 'running',
      note: `last status ${status ?? '(none)'}`,
    });
    await step('kill at cleanup', 'RunTimeKill', cleanup(ctx), () => [
      true,
      'Slurm runs Kill only while Query says running',
    ]);
    await step('delete at cleanup', 'RunTimeDelete', cleanup(ctx), zero('deleted'));
    const left = queryStatus(await runCommand(expandPatterns(conf.RunTimeQuery as string, ctx), cmdOptions(ctx)));
    record({
      phase: 'nothing left behind',
      key: 'RunTimeDelete',
      command: '(query with the task id)',
      exitCode: null,
      output: '',
      seconds: 0,
      ok: !left,
      note: left ? `the container is still there (status ${left}): the cleanup id misses it (%t?)` : 'gone',
    });
    if (left) await runCommand(expandPatterns(conf.RunTimeDelete as string, ctx), cmdOptions(ctx));
  }
}
