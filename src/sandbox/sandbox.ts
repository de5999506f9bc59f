// One sandbox: its container, ports, keys, agent channel and directory, and the one state machine
// every route and the reaper go through:
//   starting -> running | failed | stopped      running -> paused | exited | stopped
//   paused -> running | exited | stopped        exited | failed -> stopped
// Leaving the live states frees what the sandbox held (its slot, its ports, its agent channel).
import fs from 'node:fs';
import type { AgentChannel } from './agent/channel.js';
import type { PortSet } from './ports.js';

// starting: container being made; running; paused: container stopped, kept for /resume;
// exited: it died on its own; failed: it never came up; stopped: removed.
export type SandboxStatus = 'starting' | 'running' | 'paused' | 'exited' | 'failed' | 'stopped';

const NEXT: Record<SandboxStatus, SandboxStatus[]> = {
  starting: ['running', 'failed', 'stopped'],
  running: ['paused', 'exited', 'stopped'],
  paused: ['running', 'exited', 'stopped'],
  exited: ['stopped'],
  failed: ['stopped'],
  stopped: [],
};

// What a sandbox is made from.
export type SandboxInit = {
  id: string;
  container: string;
  image: string;
  sessionKey: string;
  sessionId?: string;
  ports?: PortSet;
  // The agent's channel directory (absent when the client chose the container's command).
  dir?: string;
  // Gives back the slot and ports; called once when the sandbox stops being live.
  release: () => void;
};

// A sandbox and its bookkeeping.
export class Sandbox {
  readonly id: string;
  readonly container: string;
  readonly image: string;
  readonly sessionKey: string;
  readonly sessionId?: string;
  readonly ports?: PortSet;
  readonly dir?: string;
  readonly createdAt = Date.now();
  status: SandboxStatus = 'starting';
  exitCode: number | null = null;
  reason?: string;
  // When the container last (re)started; an engine snapshot older than this does not know it yet.
  runningSince = Infinity;
  lastUsedAt = Date.now();
  // Commands running now.
  busy = 0;
  // A pause or resume in progress: the engine's view is in flux, so a refresh leaves the sandbox alone.
  changing = false;
  channel?: AgentChannel;
  private release?: () => void;

  constructor(init: SandboxInit) {
    this.id = init.id;
    this.container = init.container;
    this.image = init.image;
    this.sessionKey = init.sessionKey;
    if (init.sessionId !== undefined) this.sessionId = init.sessionId;
    if (init.ports) this.ports = init.ports;
    if (init.dir) this.dir = init.dir;
    this.release = init.release;
  }

  // Whether it still holds a container.
  get live(): boolean {
    return this.status !== 'stopped' && this.status !== 'failed' && this.status !== 'exited';
  }

  // Moves to NEXT (an impossible move is a bug in the caller); REASON says why for the client.
  to(next: SandboxStatus, reason?: string, exitCode: number | null = null): void {
    if (!NEXT[this.status].includes(next))
      throw new Error(`sandbox ${this.id}: ${this.status} -> ${next} is not a transition`);
    this.status = next;
    if (reason) this.reason = reason;
    if (next === 'running') this.runningSince = this.lastUsedAt = Date.now();
    if (next === 'exited') this.exitCode = exitCode;
    if (!this.live) this.free();
  }

  // Gives back slot, ports, channel and directory (once).
  private free(): void {
    this.release?.();
    this.release = undefined;
    this.channel?.close();
    if (this.dir) fs.rm(this.dir, { recursive: true, force: true }, () => {});
  }
}
