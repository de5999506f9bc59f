// The operations a backend implements; commands/ check arguments and state, backends do the work.
import type { Context } from '../context.js';
import type { OciState } from '../state.js';
import type { ContainerRecord } from '../store.js';

export type CreateOptions = {
  pidFile?: string;
  consoleSocket?: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  preserveFds: number;
};

export interface Backend {
  // Creates the container described by RECORD (already saved); resolves when it is `created`.
  create(ctx: Context, record: ContainerRecord, options: CreateOptions): Promise<void>;
  start(ctx: Context, record: ContainerRecord): Promise<void>;
  state(ctx: Context, record: ContainerRecord): OciState;
  kill(ctx: Context, record: ContainerRecord, signal: number, all: boolean): void;
  // Frees everything the container holds; the caller removes the record afterwards.
  delete(ctx: Context, record: ContainerRecord, force: boolean): Promise<void>;
  // create + start, then (unless DETACH) wait and delete; returns the container's exit status.
  run(ctx: Context, record: ContainerRecord, options: CreateOptions, detach: boolean): Promise<number>;
  // exec, pause, resume, update, ps: the backend's own command with ARGS; returns its exit status.
  passthrough(ctx: Context, record: ContainerRecord, command: string, args: string[]): number;
}

// The backend module that implements RECORD's backend (loaded lazily: scrun's is bigger).
export async function backendFor(name: ContainerRecord['backend']): Promise<Backend> {
  if (name === 'scrun') return (await import('./scrun.js')).scrun;
  return (await import('./local.js')).local;
}
