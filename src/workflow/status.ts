// The state of one launch: both jobs as Slurm sees them, the coordination flags, the server's URL
// and health, and the last lines of the logs. Never reads or shows the API key.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { FILES, hasFlag, logFiles, readCoordinationFile, readJobId } from './coordination.js';

// One job as `scontrol show job --json` reports it; `GONE` once Slurm has forgotten it (MinJobAge).
export type JobInfo = { id: string; state: string; reason?: string; nodes?: string; exitCode?: number };

// The whole status of a coordination directory, as `workflow status --format json` prints it.
export type WorkflowStatus = {
  dir: string;
  config?: string;
  runtime?: JobInfo;
  training?: JobInfo;
  flags: { ready: boolean; complete: boolean; failed?: string };
  url?: string;
  health?: Health;
  logs: Record<string, string[]>;
};

// One node of a sandbox pool (RUNTIME_NODES > 1), as the front's /health reports it.
export type PoolNode = {
  node: string;
  url: string;
  up: boolean;
  slots?: number;
  used?: number;
  waiting?: number;
  sandboxes?: number;
  reason?: string;
};

// What GET /health said; a pool front adds its workers.
export type Health = { ok: boolean; detail: string; pool?: PoolNode[] };

// Job states after which a job no longer runs.
const ENDED =
  /^(COMPLETED|CANCELLED|FAILED|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|OUT_OF_MEMORY|SPECIAL_EXIT|GONE)$/;

// Whether a job is over (or unknown to Slurm).
export const jobEnded = (job: JobInfo | undefined): boolean => !job || ENDED.test(job.state);

const firstWords = (text: string) => text.trim().split('\n')[0].slice(0, 60) || 'nothing';

// Asks Slurm about one job; never throws for what scontrol says or is missing.
export async function jobInfo(id: string): Promise<JobInfo> {
  const r = await execa('scontrol', ['show', 'job', id, '--json'], { reject: false, timeout: 30_000 });
  if (r.exitCode !== 0) return { id, state: 'UNKNOWN', reason: String(r.stderr).trim() || r.shortMessage };
  let job;
  try {
    job = (JSON.parse(String(r.stdout)) as { jobs?: Record<string, any>[] }).jobs?.[0];
  } catch {
    return {
      id,
      state: 'UNKNOWN',
      reason: `scontrol printed no JSON (${firstWords(String(r.stdout))}): is this Slurm 21.08 or later?`,
    };
  }
  if (!job) return { id, state: 'GONE', reason: 'no longer known to Slurm' };
  const rc = job.exit_code?.return_code;
  return {
    id,
    state: (job.job_state ?? []).join(',') || 'UNKNOWN',
    reason: job.state_reason && job.state_reason !== 'None' ? job.state_reason : undefined,
    nodes: job.nodes || undefined,
    exitCode: rc?.set ? rc.number : undefined,
  };
}

// Both jobs of a launch as Slurm sees them (a job the launch did not submit is undefined).
export async function launchJobs(dir: string): Promise<{ runtime?: JobInfo; training?: JobInfo }> {
  const ask = (file: string) => {
    const id = readJobId(dir, file);
    return id ? jobInfo(id) : undefined;
  };
  const [runtime, training] = await Promise.all([ask(FILES.runtimeJob), ask(FILES.trainingJob)]);
  return { runtime, training };
}

// GET <url>/health, with a short timeout (needs no key).
export async function probeHealth(url: string): Promise<Health> {
  try {
    const r = await fetch(new URL('health', url.endsWith('/') ? url : `${url}/`), {
      signal: AbortSignal.timeout(3000),
    });
    const body = (await r.json().catch(() => ({}))) as { workers?: unknown };
    const pool = Array.isArray(body.workers) ? (body.workers as PoolNode[]) : undefined;
    return { ok: r.ok, detail: `HTTP ${r.status}`, ...(pool ? { pool } : {}) };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { ok: false, detail: cause ?? (error as Error).message };
  }
}

// The last N lines of a file.
export function lastLines(file: string, n: number): string[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n);
}

// Gathers the status of DIR; the health probe runs only while the server should be up.
export async function workflowStatus(dir: string, logLines = 5): Promise<WorkflowStatus> {
  const { runtime, training } = await launchJobs(dir);
  let launch: { config?: string } = {};
  try {
    launch = JSON.parse(readCoordinationFile(dir, FILES.launch) ?? '{}');
  } catch {
    // a damaged launch.json only loses the config name from the report
  }
  const url = readCoordinationFile(dir, FILES.url);
  const flags = {
    ready: hasFlag(dir, FILES.ready),
    complete: hasFlag(dir, FILES.complete),
    failed: readCoordinationFile(dir, FILES.failed),
  };
  const serverUp = flags.ready && (runtime ? !jobEnded(runtime) : !flags.complete);
  const logs = Object.fromEntries(logFiles(dir).map((f) => [path.basename(f), lastLines(f, logLines)]));
  return {
    dir,
    config: launch.config,
    runtime,
    training,
    flags,
    url,
    health: url && serverUp ? await probeHealth(url) : undefined,
    logs,
  };
}

// The human form of a status.
export function formatStatus(s: WorkflowStatus): string {
  const job = (j?: JobInfo) =>
    j
      ? `${j.id} ${j.state}${j.reason ? ` (${j.reason})` : ''}${j.nodes ? ` on ${j.nodes}` : ''}${j.exitCode !== undefined && jobEnded(j) ? `, exit ${j.exitCode}` : ''}`
      : '-';
  const out = [
    `directory:    ${s.dir}`,
    ...(s.config ? [`config:       ${s.config}`] : []),
    `runtime job:  ${job(s.runtime)}`,
    `training job: ${job(s.training)}`,
    `flags:        ready=${s.flags.ready ? 'yes' : 'no'} complete=${s.flags.complete ? 'yes' : 'no'}${s.flags.failed ? ` failed: ${s.flags.failed}` : ''}`,
    `server:       ${s.url ?? '(not yet)'}${s.health ? ` health ${s.health.ok ? 'ok' : 'FAILED'} (${s.health.detail})` : ''}`,
  ];
  for (const n of s.health?.pool ?? []) {
    const figures = n.up
      ? `${n.used}/${n.slots} slots used, ${n.waiting} waiting, ${n.sandboxes} sandboxes`
      : `DEAD (${n.reason})`;
    out.push(`  ${n.node.padEnd(12)} ${n.url}  ${figures}`);
  }
  for (const [file, lines] of Object.entries(s.logs)) {
    if (lines.length) out.push(`--- ${file}`, ...lines);
  }
  return `${out.join('\n')}\n`;
}
