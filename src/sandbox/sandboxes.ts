// The registry of the server's sandboxes: starts them through the slot pool, runs commands, notices
// containers that died, reaps idle ones and removes them all at shutdown. A removed sandbox stays
// listed as `stopped` (with the reason), so late calls get a clear 409 instead of a bare 404.
import crypto from 'node:crypto';
import { NoSuchFileError, NotRunningError, type Driver, type ExecRequest, type ExecResult, type RunSpec } from './driver.js';
import { ApiError } from './errors.js';
import { Pool, PoolClosedError, QueueTimeoutError } from './pool.js';

// starting: podman run in progress; running; exited: the container died on its own; stopped: removed.
export type SandboxStatus = 'starting' | 'running' | 'exited' | 'stopped';

// One sandbox and its bookkeeping (sessionKey: the per-sandbox key a client may use instead of the server key).
export type Sandbox = {
  id: string;
  container: string;
  image: string;
  sessionId?: string;
  sessionKey: string;
  status: SandboxStatus;
  exitCode: number | null;
  reason?: string;
  createdAt: number;
  // When `podman run` returned; an engine snapshot older than this does not know the container yet.
  runningSince: number;
  lastUsedAt: number;
  busy: number;
  release?: () => void;
};

// The JSON view of a sandbox.
export const view = (s: Sandbox) => ({
  id: s.id,
  status: s.status,
  image: s.image,
  container: s.container,
  created_at: new Date(s.createdAt).toISOString(),
  last_used_at: new Date(s.lastUsedAt).toISOString(),
  ...(s.exitCode === null ? {} : { exit_code: s.exitCode }),
  ...(s.reason ? { reason: s.reason } : {}),
  ...(s.sessionId ? { session_id: s.sessionId } : {}),
});

const live = (s: Sandbox) => s.status !== 'stopped';
// How many stopped sandboxes stay known (a late call on one gets a 409 saying why, not a 404).
const KEEP_STOPPED = 1000;

// Every sandbox of one server. DEFAULT_IMAGE is used when a start names none.
export class Sandboxes {
  private readonly all = new Map<string, Sandbox>();
  private readonly starting = new Set<Promise<unknown>>();
  private closing = false;

  constructor(
    private readonly driver: Driver,
    private readonly pool: Pool,
    private readonly o: { prefix: string; defaultImage: string; defaultTimeoutMs: number },
  ) {}

  // Slots in use, starts waiting, and the limit.
  get slots() {
    return this.pool.stats;
  }

  // Whether the engine has IMAGE locally.
  imageExists(image: string): Promise<boolean> {
    return this.driver.imageExists(image);
  }

  // The sandboxes not yet stopped.
  list(): Sandbox[] {
    return [...this.all.values()].filter(live);
  }

  // The sandbox ID, if known.
  find(id: string): Sandbox | undefined {
    return this.all.get(id);
  }

  // The sandbox ID, or a 404.
  get(id: string): Sandbox {
    const s = this.all.get(id);
    if (!s) throw new ApiError(404, `no sandbox ${id}`);
    return s;
  }

  // The latest sandbox started for an OpenHands session ID.
  bySession(sessionId: string): Sandbox | undefined {
    return [...this.all.values()].reverse().find((s) => s.sessionId === sessionId);
  }

  // Waits for a slot, then starts a container; rejects with 429 when the wait runs out.
  async create(spec: Partial<RunSpec> & { sessionId?: string }, signal?: AbortSignal): Promise<Sandbox> {
    if (this.closing) throw new ApiError(503, 'the sandbox server is shutting down');
    const started = this.start(spec, signal);
    this.starting.add(started);
    try {
      return await started;
    } finally {
      this.starting.delete(started);
    }
  }

  // Runs a command in a running sandbox (409 if it is not running).
  async exec(id: string, request: Omit<ExecRequest, 'timeoutMs'> & { timeoutMs?: number }): Promise<ExecResult> {
    const s = this.usable(id);
    s.busy += 1;
    try {
      return await this.driver.exec(s.container, { ...request, timeoutMs: request.timeoutMs ?? this.o.defaultTimeoutMs });
    } catch (error) {
      throw await this.explain(s, error);
    } finally {
      s.busy -= 1;
      s.lastUsedAt = Date.now();
    }
  }

  // Writes DATA to PATH inside a running sandbox.
  async upload(id: string, path: string, data: Buffer): Promise<void> {
    const s = this.usable(id);
    try {
      await this.driver.copyIn(s.container, path, data);
    } catch (error) {
      throw await this.explain(s, error);
    }
  }

  // Reads the regular file PATH from a running sandbox.
  async download(id: string, path: string): Promise<Buffer> {
    const s = this.usable(id);
    try {
      return await this.driver.copyOut(s.container, path);
    } catch (error) {
      throw await this.explain(s, error);
    }
  }

  // Removes the container (idempotent); REASON is reported in the sandbox's status.
  async stop(id: string, reason: string): Promise<void> {
    const s = this.get(id);
    if (!live(s)) return;
    if (s.status === 'starting') throw new ApiError(409, `sandbox ${id} is still starting; stop it once it runs`);
    s.status = 'stopped';
    s.reason = reason;
    s.release?.();
    this.forgetOldest();
    await this.driver.remove([s.container]);
  }

  // Keeps the records of the last KEEP_STOPPED stopped sandboxes only, so a long run's memory stays flat.
  private forgetOldest(): void {
    let extra = [...this.all.values()].filter((s) => !live(s)).length - KEEP_STOPPED;
    for (const [id, s] of this.all) {
      if (extra <= 0) break;
      if (live(s)) continue;
      this.all.delete(id);
      extra -= 1;
    }
  }

  // Updates statuses from the engine: a container that is gone or not running has exited and frees its slot.
  async refresh(): Promise<void> {
    const asOf = Date.now();
    const states = await this.driver.states();
    for (const s of this.all.values()) {
      if (s.status !== 'running' || s.runningSince > asOf) continue;
      const state = states.get(s.container);
      if (state?.running) continue;
      s.status = 'exited';
      s.exitCode = state?.exitCode ?? null;
      s.reason = state ? `the container exited (${state.status})` : 'the container disappeared';
      s.release?.();
    }
  }

  // Stops every sandbox unused for IDLEMS and not running a command; returns their IDs.
  async reapIdle(idleMs: number): Promise<string[]> {
    const now = Date.now();
    const idle = this.list().filter((s) => s.status !== 'starting' && s.busy === 0 && now - s.lastUsedAt >= idleMs);
    for (const s of idle) await this.stop(s.id, `idle for ${Math.round(idleMs / 1000)} s`);
    return idle.map((s) => s.id);
  }

  // Refuses new starts, lets starts in flight finish, then removes every container of this server
  // (also any the registry lost track of). Returns how many were removed.
  async shutdown(): Promise<number> {
    this.closing = true;
    this.pool.close();
    await Promise.allSettled([...this.starting]);
    const names = new Set(this.list().map((s) => s.container));
    for (const name of (await this.driver.states().catch(() => new Map())).keys()) names.add(name);
    for (const s of this.list()) {
      s.status = 'stopped';
      s.reason = 'the server shut down';
      s.release?.();
    }
    await this.driver.remove([...names]);
    return names.size;
  }

  private async start(spec: Partial<RunSpec> & { sessionId?: string }, signal?: AbortSignal): Promise<Sandbox> {
    const release = await this.pool.acquire(signal).catch((error) => {
      if (error instanceof QueueTimeoutError) {
        throw new ApiError(429, `${error.message}; retry later`, { 'retry-after': '10' });
      }
      if (error instanceof PoolClosedError) throw new ApiError(503, error.message);
      throw error;
    });
    const id = crypto.randomBytes(6).toString('hex');
    const now = Date.now();
    const s: Sandbox = {
      id,
      container: `${this.o.prefix}-${id}`,
      image: spec.image ?? this.o.defaultImage,
      sessionKey: crypto.randomBytes(24).toString('base64url'),
      status: 'starting',
      exitCode: null,
      createdAt: now,
      runningSince: Infinity,
      lastUsedAt: now,
      busy: 0,
      release,
      ...(spec.sessionId ? { sessionId: spec.sessionId } : {}),
    };
    this.all.set(id, s);
    try {
      await this.driver.run(s.container, { ...spec, image: s.image });
    } catch (error) {
      release();
      this.all.delete(id);
      throw error;
    }
    if (this.closing) {
      s.status = 'stopped';
      s.reason = 'the server shut down';
      release();
      await this.driver.remove([s.container]);
      throw new ApiError(503, 'the sandbox server is shutting down');
    }
    s.status = 'running';
    s.runningSince = s.lastUsedAt = Date.now();
    return s;
  }

  // The sandbox ID if it can serve a command now, else a 404 or 409.
  private usable(id: string): Sandbox {
    const s = this.get(id);
    s.lastUsedAt = Date.now();
    if (s.status === 'running') return s;
    if (s.status === 'starting') throw new ApiError(409, `sandbox ${id} is still starting; retry in a moment`);
    throw new ApiError(409, `sandbox ${id} is ${s.status} (${s.reason ?? 'no reason known'}); start a new sandbox`);
  }

  // Turns a driver failure into the API error to answer with.
  private async explain(s: Sandbox, error: unknown): Promise<unknown> {
    if (error instanceof NoSuchFileError) return new ApiError(404, error.message);
    if (!(error instanceof NotRunningError)) return error;
    await this.refresh().catch(() => {});
    if (s.status === 'running') {
      s.status = 'exited';
      s.reason = 'the container stopped running';
      s.release?.();
    }
    return new ApiError(409, `sandbox ${s.id} is ${s.status} (${s.reason}); start a new sandbox`);
  }
}
