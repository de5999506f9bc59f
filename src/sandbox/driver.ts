// What the sandbox registry needs from a container engine. podman.ts is the real one; unit tests
// use a fake because the machine running `npm test` has no Podman.

// How to start one sandbox container.
export type RunSpec = { image: string; env?: Record<string, string>; workdir?: string; command?: string[] };

// One command to run in a sandbox.
export type ExecRequest = {
  command: string[];
  stdin?: string;
  timeoutMs: number;
  env?: Record<string, string>;
  workdir?: string;
  // Fires when nobody waits for the answer any more: the command is killed as on a timeout.
  signal?: AbortSignal;
};

// What came back; output beyond the limit is dropped and flagged, and a command that outlived its
// timeout is killed (timedOut) and reported with exit code 124, as timeout(1) does.
export type ExecResult = {
  exit_code: number;
  stdout: string;
  stderr: string;
  stdout_truncated: boolean;
  stderr_truncated: boolean;
  timed_out: boolean;
};

// A container as the engine sees it.
export type ContainerState = { running: boolean; status: string; exitCode: number | null };

// The container is not running (any more), so the request cannot be served.
export class NotRunningError extends Error {}

// A path asked for in a sandbox does not exist or is not a regular file.
export class NoSuchFileError extends Error {}

// The operations a sandbox server performs on containers, by container name.
export interface Driver {
  run(name: string, spec: RunSpec): Promise<void>;
  exec(name: string, request: ExecRequest): Promise<ExecResult>;
  remove(names: string[]): Promise<void>;
  // Every container this server started (by its label), keyed by name.
  states(): Promise<Map<string, ContainerState>>;
  copyIn(name: string, path: string, data: Buffer): Promise<void>;
  copyOut(name: string, path: string): Promise<Buffer>;
  imageExists(image: string): Promise<boolean>;
}
