// One scrun container as its files in the container directory and one state machine:
//   created → start-requested → running → exited, and failed (scrun create failed) or exited
//   (stopped) from before running.
// Who writes what: `create` writes input.json and state.json (created); `start` writes the start
// request; from then on only the supervisor writes state.json. Every write renames into place.
// Readers (state, kill, delete, start waiting) wait for changes with inotify (fs.watch), not polls.
import fs from 'node:fs';
import path from 'node:path';
import type { Globals } from '../context.js';
import type { CreateOptions } from '../backends/types.js';
import { writeFileAtomic } from '../../util/files.js';

export type Phase = 'created' | 'start-requested' | 'running' | 'exited' | 'failed';
export type ProcRef = { pid: number; start?: number };

export type ScrunState = {
  phase: Phase;
  // the process Podman waits on: its pid went into --pid-file
  supervisor: ProcRef;
  // running on: scrun's anchor, and the container's job once known
  anchor?: ProcRef;
  jobId?: number;
  // exited: the container's code, how its end was seen, and whether the job and anchor are gone
  exitCode?: number;
  how?: string;
  cleaned?: boolean;
  // failed: scrun's error and a hint
  error?: string;
  hint?: string;
};

// What `create` hands the supervisor.
export type SupervisorInput = { options: CreateOptions; globals: Globals };

// The transitions the state machine allows.
const NEXT: Record<Phase, readonly Phase[]> = {
  created: ['start-requested', 'exited'],
  'start-requested': ['running', 'failed', 'exited'],
  running: ['exited'],
  exited: [],
  failed: [],
};

export class ScrunContainer {
  constructor(readonly dir: string) {}

  file(name: string): string {
    return path.join(this.dir, name);
  }

  // scrun's --pid-file, its --log, and the supervisor's log
  get anchorPidFile(): string {
    return this.file('anchor.pid');
  }
  get scrunLog(): string {
    return this.file('scrun.log');
  }
  get supervisorLog(): string {
    return this.file('supervisor.log');
  }

  private readJson<T>(name: string): T | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file(name), 'utf8')) as T;
    } catch {
      return undefined;
    }
  }

  // The state, or undefined before create wrote it.
  read(): ScrunState | undefined {
    return this.readJson<ScrunState>('state.json');
  }

  // Writes the first state (create, right after starting the supervisor).
  init(input: SupervisorInput, supervisor: ProcRef): void {
    writeFileAtomic(this.file('input.json'), JSON.stringify(input), 0o600);
    writeFileAtomic(
      this.file('state.json'),
      JSON.stringify({ phase: 'created', supervisor } satisfies ScrunState),
      0o600,
    );
  }

  input(): SupervisorInput | undefined {
    return this.readJson<SupervisorInput>('input.json');
  }

  // Moves to phase TO with FACTS; throws on a transition the machine does not have (a bug).
  transition(to: Phase, facts: Partial<Omit<ScrunState, 'phase' | 'supervisor'>> = {}): ScrunState {
    const now = this.read();
    if (!now || !NEXT[now.phase].includes(to))
      throw new Error(`scrun container ${this.dir}: no transition ${now?.phase ?? 'none'} → ${to}`);
    const next: ScrunState = { ...now, ...facts, phase: to };
    writeFileAtomic(this.file('state.json'), JSON.stringify(next), 0o600);
    return next;
  }

  // Records facts learnt without a change of phase (the job id, once found).
  note(facts: Partial<Omit<ScrunState, 'phase' | 'supervisor'>>): void {
    const now = this.read();
    if (now) writeFileAtomic(this.file('state.json'), JSON.stringify({ ...now, ...facts }), 0o600);
  }

  // The anchor's pid as scrun wrote it; undefined before, and once the anchor has stopped (it
  // removes or empties the file after stage-out and completing the job: anchor.c _check_if_stopped).
  anchorPid(): number | undefined {
    try {
      return Number(fs.readFileSync(this.anchorPidFile, 'utf8').trim()) || undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  clearAnchorPid(): void {
    fs.rmSync(this.anchorPidFile, { force: true });
  }

  // Calls ON_CHANGE with the file's name on every change in the directory until the returned
  // function is called.
  watch(onChange: (name: string | null) => void): () => void {
    const watcher = fs.watch(this.dir, (_, name) => onChange(name));
    return () => watcher.close();
  }

  // How long scrun's log is now; what it wrote from OFFSET on (the attempt that began there).
  scrunLogSize(): number {
    return fs.statSync(this.scrunLog, { throwIfNoEntry: false })?.size ?? 0;
  }
  scrunLogSince(offset: number): string {
    try {
      return fs.readFileSync(this.scrunLog).subarray(offset).toString('utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw error;
    }
  }

  requestStart(): void {
    writeFileAtomic(this.file('start'), new Date().toISOString(), 0o600);
  }

  startRequested(): boolean {
    return fs.existsSync(this.file('start'));
  }

  // Resolves with the first non-undefined value of CHECK, run now and after every change in the
  // directory (and every FALLBACK_MS, in case an event is missed); undefined when ABORT fires.
  async waitFor<T>(check: () => T | undefined, abort?: AbortSignal, fallbackMs = 1000): Promise<T | undefined> {
    let wake: () => void = () => {};
    const unwatch = this.watch(() => wake());
    try {
      for (;;) {
        const changed = new Promise<void>((resolve) => {
          wake = resolve;
        });
        const value = check();
        if (value !== undefined) return value;
        if (abort?.aborted) return undefined;
        const onAbort = () => wake();
        abort?.addEventListener('abort', onAbort, { once: true });
        const timer = setTimeout(() => wake(), fallbackMs);
        await changed;
        clearTimeout(timer);
        abort?.removeEventListener('abort', onAbort);
      }
    } finally {
      unwatch();
    }
  }
}
