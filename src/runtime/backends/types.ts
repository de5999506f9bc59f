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
  kill(ctx: Context, record: ContainerRecord, signal: number, all: boolean): Promise<void>;
  // Frees everything the container holds; the caller removes the record afterwards.
  delete(ctx: Context, record: ContainerRecord, force: boolean): Promise<void>;
  // create + start, then (unless DETACH) wait and delete; returns the container's exit status.
  run(ctx: Context, record: ContainerRecord, options: CreateOptions, detach: boolean): Promise<number>;
  // The processes on this node that stand for the container (`ps`).
  pids(ctx: Context, record: ContainerRecord): number[];
  // exec, pause, resume, update, ps: the backend's own command with ARGS; returns its exit status.
  // Only local backends have them.
  passthrough?(ctx: Context, record: ContainerRecord, command: string, args: string[]): Promise<number>;
}
