// A node with a Slurm controller, as the scrun supervisor sees it, in memory and on a virtual
// clock: the cluster cases (a failed first create, a zombie srun, an anchor that never reaps, a
// job that stays COMPLETING, a controller that is down) are scripted here, and the real ones run
// in test/e2e/runtime.test.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScrunContainer } from '../../../src/runtime/scrun/container.js';
import type { CreateRun, ScrunHost } from '../../../src/runtime/scrun/host.js';
import type { ProcStat } from '../../../src/runtime/scrun/proc.js';
import type { JobEnd } from '../../../src/runtime/scrun/slurm.js';

type Job = { container: string; end?: JobEnd; steps: boolean };
// One scrun create attempt: its result, and what it sets up on the node.
// HANGS: scrun create waits (for a controller that does not answer) until it is stopped.
export type Attempt = {
  code: number;
  stderr?: string;
  hangs?: boolean;
  setUp?: (host: FakeHost) => number | undefined;
};

export class FakeHost implements ScrunHost {
  t = 0;
  calls: string[] = [];
  procs = new Map<number, ProcStat>();
  jobs = new Map<number, Job>();
  down = false;
  anchorPid: number | undefined;
  // how often the controller was asked which job runs a container (squeue)
  jobLookups = 0;
  private events: Array<[number, () => void]> = [];
  private pidFileWatchers = new Set<() => void>();
  // scrun's --pid-file, as the supervisor reads and watches it
  pidFile = {
    read: () => this.anchorPid,
    clear: () => void (this.anchorPid = undefined),
    watch: (onChange: () => void) => {
      this.pidFileWatchers.add(onChange);
      return () => void this.pidFileWatchers.delete(onChange);
    },
  };
  // watchers of the pid file left behind (the supervisor must close its own)
  get pidFileWatching(): number {
    return this.pidFileWatchers.size;
  }
  private goneNow: () => void = () => {};

  constructor(private attempts: Attempt[]) {}

  // Runs FN at virtual time MS.
  at(ms: number, fn: () => void): void {
    this.events.push([ms, fn]);
  }

  spawnProc(pid: number, ppid: number, comm: string): void {
    this.procs.set(pid, { pid, ppid, comm, state: 'S', start: 1000 + pid, exitCode: 0 });
  }

  // PID ends; as a zombie (its parent does not reap it) with wait STATUS, or reaped.
  exit(pid: number, status?: number): void {
    const p = this.procs.get(pid);
    if (!p) return;
    if (status === undefined) this.procs.delete(pid);
    else this.procs.set(pid, { ...p, state: 'Z', exitCode: status });
  }

  // The anchor and every process holding the create pipe are gone.
  anchorGone(pid: number): void {
    this.exit(pid);
    for (const c of this.children(pid)) this.procs.delete(c.pid);
    this.goneNow();
  }

  // The anchor has stopped (staged out, completed its job): it removes its pid file, and may then
  // never exit (seen on Slurm 24.11).
  anchorStopped(): void {
    this.anchorPid = undefined;
    for (const onChange of this.pidFileWatchers) onChange();
  }

  stat = (pid: number) => this.procs.get(pid);
  anchorsOf = (id: string) =>
    [...this.procs.values()].filter((p) => p.comm === `scrun:${id}`.slice(0, 15)).map((p) => p.pid);
  children = (pid: number) => [...this.procs.values()].filter((p) => p.ppid === pid);
  kill(pid: number, signal: NodeJS.Signals | number): void {
    this.calls.push(`kill ${pid} ${signal}`);
    if (signal === 'SIGKILL') this.procs.delete(pid);
  }

  async findJob(id: string, stale: ReadonlySet<number>): Promise<number | undefined> {
    this.jobLookups++;
    if (this.down) return undefined;
    const ids = [...this.jobs].filter(([j, job]) => job.container === id && !stale.has(j)).map(([j]) => j);
    return ids.length ? Math.max(...ids) : undefined;
  }
  // how often the controller was asked how a job ended (scontrol show job)
  jobEnds = 0;
  jobEnd = async (jobId: number) => (this.jobEnds++, this.down ? undefined : this.jobs.get(jobId)?.end);
  hasSteps = async (jobId: number) => !this.down && !!this.jobs.get(jobId)?.steps;
  async cancel(jobId: number, signal?: number): Promise<void> {
    this.calls.push(`scancel ${signal ? `--signal=${signal} ` : ''}${jobId}`);
    const job = this.jobs.get(jobId);
    if (job && !job.end?.finished) job.end = { state: 'CANCELLED', finished: true, exitCode: 143 };
  }

  async scrun(args: string[]) {
    this.calls.push(`scrun ${args.filter((a) => !a.startsWith('/') && a !== '--root').join(' ')}`);
    return { code: 0, stdout: '', stderr: '' };
  }

  cmdlines = new Map<number, string[]>();
  cmdline = (pid: number) => this.cmdlines.get(pid) ?? [];

  scrunCreate(_args: string[], abort: AbortSignal, _passOn: (chunk: Buffer) => void): CreateRun {
    const attempt = this.attempts.shift()!;
    this.calls.push('scrun create');
    this.anchorPid = attempt.setUp?.(this);
    const gone = new Promise<void>((resolve) => (this.goneNow = resolve));
    const result = { code: attempt.code, stderr: attempt.stderr ?? '' };
    const exited = attempt.hangs
      ? new Promise<typeof result>((resolve) =>
          abort.addEventListener('abort', () => resolve({ ...result, code: 143 }), { once: true }),
        )
      : Promise.resolve(result);
    return { exited, gone };
  }

  // the controller does not answer: scontrol ping says so at once (no virtual time passes)
  async controllerDown(_ms: number, ended: AbortSignal): Promise<string | undefined> {
    await Promise.resolve();
    return this.down && !ended.aborted ? 'Slurmctld(primary) at vm is DOWN' : undefined;
  }

  async sleep(ms: number): Promise<void> {
    this.t += ms;
    for (const e of this.events.filter(([at]) => at <= this.t)) {
      this.events.splice(this.events.indexOf(e), 1);
      e[1]();
    }
    await Promise.resolve();
  }

  now = () => this.t;
}

// A create that starts anchor PID with srun PID+1 in job JOB for container ID.
export const started = (id: string, pid: number, job: number): Attempt => ({
  code: 0,
  setUp(host) {
    host.spawnProc(pid, 1, `scrun:${id}`.slice(0, 15));
    host.spawnProc(pid + 1, pid, 'srun');
    host.jobs.set(job, { container: id, steps: true, end: { state: 'RUNNING', finished: false } });
    return pid;
  },
});

// A container directory in a fresh temporary directory, as create leaves it (phase created, this
// process standing for the supervisor).
export function createdContainer(prefix: string): ScrunContainer {
  const container = new ScrunContainer(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  container.init(
    {
      options: { noPivot: false, noNewKeyring: false, preserveFds: 0 },
      globals: { logFormat: 'text', debug: false, systemdCgroup: false },
    },
    { pid: process.pid },
  );
  return container;
}
