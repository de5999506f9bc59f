// The registry of one server's sandboxes: starts them through the slot pool (agent sandboxes for the
// simple API, client-commanded ones with ports and an /alive wait for OpenHands), runs commands,
// pauses and resumes, notices containers that died, reaps idle ones and removes them all at
// shutdown. A removed sandbox stays listed as `stopped` (with the reason), so a late call gets a
// clear 409 instead of a bare 404.
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AgentChannel } from './agent/channel.js';
import { AGENT_DIR, agentCommand } from './agent/script.js';
import { ExitedBeforeAliveError, NotAliveError, waitAlive } from './alive.js';
import {
  NoSuchFileError,
  NotRunningError,
  type Driver,
  type ExecRequest,
  type ExecResult,
  type FileOut,
  type Leftover,
} from './driver.js';
import { ApiError } from './errors.js';
import { Pool, PoolClosedError, QueueTimeoutError } from './pool.js';
import { Ports, withPort, type PortSet } from './ports.js';
import { Sandbox } from './sandbox.js';

// How a server's sandboxes are made.
export type SandboxesOptions = {
  prefix: string;
  defaultImage: string;
  defaultTimeoutMs: number;
  maxOutputBytes: number;
  maxExecsPerSandbox: number;
  // Where agent channel directories go (private to the server's user).
  workDir: string;
  // Per sandbox at resource_factor 1.
  cpus?: number;
  memoryBytes?: number;
  // Whether sandboxes use the node's network unless a start asks otherwise.
  hostNetwork: boolean;
  // The host name put in sandbox URLs handed to clients.
  publicHost: string;
  startTimeoutMs: number;
};

// What a start asks for; without COMMAND the sandbox runs the agent (the simple API's sandboxes).
export type CreateSpec = {
  image?: string;
  command?: string[] | string;
  env?: Record<string, string>;
  workdir?: string;
  sessionId?: string;
  resourceFactor?: number;
  // OpenHands: allocate ports, fill the command's port placeholder, wait for /alive.
  serverPorts?: boolean;
  hostNetwork?: boolean;
  workspace?: { host: string; sandbox: string };
};

// A sandbox's URL for clients, on the server's public host.
export const urlOf = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

// How many stopped sandboxes stay known.
const KEEP_ENDED = 1000;
const LOG_LINES = 10;

// Every sandbox of one server.
export class Sandboxes {
  private readonly all = new Map<string, Sandbox>();
  private readonly starting = new Set<Promise<unknown>>();
  private readonly ports = new Ports();
  private closing = false;

  constructor(
    private readonly driver: Driver,
    private readonly pool: Pool,
    readonly o: SandboxesOptions,
  ) {}

  // Slots in use, starts waiting, and the limit.
  get slots() {
    return this.pool.stats;
  }

  // The sandboxes that still hold a container or a start.
  list(): Sandbox[] {
    return [...this.all.values()].filter((s) => s.live);
  }

  // Every sandbox known, ended ones included.
  known(): Sandbox[] {
    return [...this.all.values()];
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

  // The engine's facts about IMAGE, if it has it.
  imageInfo(image: string) {
    return this.driver.imageInfo(image);
  }

  // Waits for a slot, then starts a sandbox; 429 when the wait runs out, 503 when it cannot start.
  async create(spec: CreateSpec, signal?: AbortSignal): Promise<Sandbox> {
    if (this.closing) throw new ApiError(503, 'the sandbox server is shutting down');
    const started = this.start(spec, signal);
    this.starting.add(started);
    try {
      return await started;
    } finally {
      this.starting.delete(started);
    }
  }

  // Runs a command in a running sandbox (409 if it is not running, 429 if it runs too many already).
  async exec(id: string, request: Omit<ExecRequest, 'timeoutMs'> & { timeoutMs?: number }): Promise<ExecResult> {
    const s = this.usable(id);
    if (s.busy >= this.o.maxExecsPerSandbox) {
      throw new ApiError(
        429,
        `sandbox ${id} already runs ${s.busy} commands (the limit); retry when one has finished`,
        { 'retry-after': '1' },
      );
    }
    s.busy += 1;
    const timeoutMs = request.timeoutMs ?? this.o.defaultTimeoutMs;
    try {
      if (!s.channel) return await this.driver.exec(s.container, { ...request, timeoutMs });
      const result = await s.channel.exec({
        ...request,
        timeoutMs,
        marker: crypto.randomUUID(),
        maxOutputBytes: this.o.maxOutputBytes,
      });
      if (result.timed_out) await this.refresh().catch(() => {}); // a dead agent looks like a timeout
      if (s.status !== 'running') throw new NotRunningError('the container stopped running');
      return result;
    } catch (error) {
      throw await this.explain(s, error);
    } finally {
      s.busy -= 1;
      s.lastUsedAt = Date.now();
    }
  }

  // Writes DATA to PATH inside a running sandbox.
  async upload(id: string, file: string, data: Buffer): Promise<void> {
    const s = this.usable(id);
    await this.driver
      .copyIn(s.container, file, data)
      .catch(async (error) => Promise.reject(await this.explain(s, error)));
  }

  // Reads the regular file PATH from a running sandbox; 413 beyond MAXBYTES.
  async download(id: string, file: string, maxBytes: number): Promise<FileOut> {
    const s = this.usable(id);
    const out = await this.driver
      .copyOut(s.container, file)
      .catch(async (error) => Promise.reject(await this.explain(s, error)));
    if (out.size > maxBytes) {
      out.data.destroy();
      throw new ApiError(413, `${file} has ${out.size} bytes, more than the server's --max-download-bytes ${maxBytes}`);
    }
    return out;
  }

  // Removes the container (idempotent); REASON is reported in the sandbox's status.
  async stop(id: string, reason: string): Promise<void> {
    const s = this.get(id);
    if (s.status === 'stopped') return;
    if (s.status === 'starting') throw new ApiError(409, `sandbox ${id} is still starting; stop it once it runs`);
    s.to('stopped', reason);
    this.forgetOldest();
    const left = await this.driver.remove([s.container]);
    if (left.length) throw new Error(`could not remove ${s.container}: ${left[0]?.reason}`);
  }

  // Stops the container but keeps it, its ports and its slot, for resume (OpenHands' pause).
  async pause(id: string): Promise<void> {
    const s = this.get(id);
    if (s.status === 'paused') return;
    if (s.status !== 'running')
      throw new ApiError(409, `sandbox ${id} is ${s.status}; only a running sandbox can be paused`);
    if (s.busy)
      throw new ApiError(409, `sandbox ${id} still runs ${s.busy} command(s); pause it when they have finished`);
    if (s.changing) throw new ApiError(409, `sandbox ${id} is being paused or resumed already`);
    s.changing = true;
    try {
      await this.driver.stop(s.container);
    } finally {
      s.changing = false;
    }
    s.to('paused', 'paused by a client');
  }

  // Starts a paused sandbox again; answers once its server is alive (OpenHands' resume).
  async resume(id: string, signal?: AbortSignal): Promise<void> {
    const s = this.get(id);
    if (s.status === 'running') return;
    if (s.status !== 'paused')
      throw new ApiError(409, `sandbox ${id} is ${s.status}; only a paused sandbox can be resumed`);
    if (s.changing) throw new ApiError(409, `sandbox ${id} is being resumed already`);
    s.changing = true;
    try {
      await this.driver.start(s.container);
      if (s.ports) await this.waitForServer(s, signal);
    } catch (error) {
      s.to('exited', `it did not come back from pause: ${(error as Error).message}`);
      throw new ApiError(503, `sandbox ${id} could not be resumed: ${(error as Error).message}`);
    } finally {
      s.changing = false;
    }
    s.to('running');
  }

  // Updates statuses from the engine: a running container that is gone or stopped has exited.
  async refresh(): Promise<void> {
    const asOf = Date.now();
    const states = await this.driver.states();
    for (const s of this.all.values()) {
      if (s.status !== 'running' || s.changing || s.runningSince > asOf) continue;
      const state = states.get(s.container);
      if (state?.running) continue;
      s.to(
        'exited',
        state ? `the container exited (${state.status})` : 'the container disappeared',
        state?.exitCode ?? null,
      );
    }
  }

  // Stops every sandbox unused for IDLEMS and not running a command; returns their IDs.
  async reapIdle(idleMs: number): Promise<string[]> {
    const now = Date.now();
    const idle = this.list().filter((s) => s.status !== 'starting' && s.busy === 0 && now - s.lastUsedAt >= idleMs);
    for (const s of idle) await this.stop(s.id, `idle for ${Math.round(idleMs / 1000)} s`).catch(() => {});
    return idle.map((s) => s.id);
  }

  // Refuses new starts, lets starts in flight end, then removes every container of this server
  // (also any the registry lost track of). Returns how many went and what could not be removed.
  async shutdown(): Promise<{ removed: number; left: Leftover[] }> {
    this.closing = true;
    this.pool.close();
    await Promise.allSettled([...this.starting]);
    // The engine's list has every container of ours that exists; without it, every record that may
    // (a failed start removed its own).
    const engine = await this.driver.states().catch(() => undefined);
    const names = new Set(
      engine
        ? [...engine.keys(), ...this.list().map((s) => s.container)]
        : this.known()
            .filter((s) => s.status !== 'stopped' && s.status !== 'failed')
            .map((s) => s.container),
    );
    for (const s of this.list()) s.to('stopped', 'the server shut down');
    const left = await this.driver
      .remove([...names])
      .catch((error: Error) => [...names].map((name) => ({ name, reason: error.message })));
    return { removed: names.size - left.length, left };
  }

  private async start(spec: CreateSpec, signal?: AbortSignal): Promise<Sandbox> {
    const release = await this.pool.acquire(signal).catch((error) => {
      if (error instanceof QueueTimeoutError)
        throw new ApiError(429, `${error.message}; retry later`, { 'retry-after': '10' });
      if (error instanceof PoolClosedError) throw new ApiError(503, error.message);
      throw error;
    });
    let ports: PortSet | undefined;
    try {
      if (spec.serverPorts) ports = await this.ports.take();
    } catch (error) {
      release();
      throw new ApiError(503, `no ports for a new sandbox: ${(error as Error).message}`);
    }
    const id = crypto.randomBytes(6).toString('hex');
    const agent = spec.command === undefined;
    const s = new Sandbox({
      id,
      container: `${this.o.prefix}-${id}`,
      image: spec.image ?? this.o.defaultImage,
      sessionKey: crypto.randomBytes(24).toString('base64url'),
      ...(spec.sessionId ? { sessionId: spec.sessionId } : {}),
      ...(ports ? { ports } : {}),
      ...(agent ? { dir: path.join(this.o.workDir, id) } : {}),
      release: () => {
        release();
        if (ports) this.ports.release(ports);
      },
    });
    this.all.set(id, s);
    this.forgetOldest();
    try {
      await this.run(s, spec);
      if (s.ports) await this.waitForServer(s, signal);
      if (this.closing) throw new ApiError(503, 'the sandbox server is shutting down');
      s.to('running');
      return s;
    } catch (error) {
      s.to('failed', (error as Error).message);
      const aliveFailed = error instanceof ExitedBeforeAliveError || error instanceof NotAliveError;
      const logs = aliveFailed ? await this.driver.logs(s.container, LOG_LINES).catch(() => '') : '';
      await this.driver.remove([s.container]).catch(() => []);
      if (error instanceof ApiError) throw error;
      throw new ApiError(
        503,
        `sandbox ${id} did not start: ${(error as Error).message}${logs ? `; its last output:\n${logs}` : ''}`,
      );
    }
  }

  // Makes the container: the agent or the client's command, the env the protocol defines, limits
  // scaled by resource_factor, the agent's directory and the workspace mounted.
  private async run(s: Sandbox, spec: CreateSpec): Promise<void> {
    if (s.dir) {
      await fs.mkdir(s.dir, { mode: 0o700 });
      s.channel = await AgentChannel.create(s.dir);
    }
    const given = s.ports && spec.command !== undefined ? withPort(spec.command, s.ports.exec) : spec.command;
    const command = given === undefined ? agentCommand() : typeof given === 'string' ? ['/bin/sh', '-c', given] : given;
    const env = {
      ...(s.ports
        ? {
            port: String(s.ports.exec),
            PYTHONUNBUFFERED: '1',
            VSCODE_PORT: String(s.ports.vscode),
            SESSION_API_KEY: s.sessionKey,
          }
        : {}),
      ...spec.env,
    };
    const factor = spec.resourceFactor ?? 1;
    const hostNetwork = spec.hostNetwork ?? this.o.hostNetwork;
    await this.driver.run(s.container, {
      image: s.image,
      command,
      env,
      ...(spec.workdir ? { workdir: spec.workdir } : {}),
      ...(this.o.cpus ? { cpus: this.o.cpus * factor } : {}),
      ...(this.o.memoryBytes ? { memoryBytes: Math.round(this.o.memoryBytes * factor) } : {}),
      hostNetwork,
      ...(s.ports && !hostNetwork ? { publish: [s.ports.exec, s.ports.vscode, ...s.ports.app] } : {}),
      mounts: [
        ...(s.dir ? [{ host: s.dir, container: AGENT_DIR }] : []),
        ...(spec.workspace ? [{ host: spec.workspace.host, container: spec.workspace.sandbox }] : []),
      ],
    });
  }

  private async waitForServer(s: Sandbox, signal?: AbortSignal): Promise<void> {
    await waitAlive({
      url: `${urlOf('127.0.0.1', s.ports!.exec)}/alive`,
      headers: { 'X-Session-API-Key': s.sessionKey },
      timeoutMs: this.o.startTimeoutMs,
      running: async () => (await this.driver.states()).get(s.container)?.running ?? false,
      ...(signal ? { signal } : {}),
    });
  }

  // Keeps the records of the last KEEP_ENDED ended sandboxes only, so a long run's memory stays flat.
  private forgetOldest(): void {
    let extra = this.all.size - this.list().length - KEEP_ENDED;
    for (const [id, s] of this.all) {
      if (extra <= 0) break;
      if (s.live) continue;
      this.all.delete(id);
      extra -= 1;
    }
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
    if (s.status === 'running') s.to('exited', 'the container stopped running');
    return new ApiError(409, `sandbox ${s.id} is ${s.status} (${s.reason}); start a new sandbox`);
  }
}
