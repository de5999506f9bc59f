// What the sandbox registry needs from a container engine. podman.ts is the real one; unit tests
// use a fake because the machine running `npm test` has no Podman.
import type { Readable } from 'node:stream';

// How to start one sandbox container. Isolation (own PID, IPC and UTS namespaces) is the driver's
// to apply whatever the engine's configuration says.
export type RunSpec = {
  image: string;
  command: string[];
  env?: Record<string, string>;
  workdir?: string;
  cpus?: number;
  memoryBytes?: number;
  // true: the node's network; false: a private one with PUBLISH's ports forwarded.
  hostNetwork: boolean;
  publish?: number[];
  mounts?: { host: string; container: string; readonly?: boolean }[];
};

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

// A file coming out of a sandbox: its size (known before the first byte) and its bytes.
export type FileOut = { size: number; data: Readable };

// An image the engine has.
export type ImageInfo = { created: string; size: number };

// A container that could not be removed, and why.
export type Leftover = { name: string; reason: string };

// The container is not running (any more), so the request cannot be served.
export class NotRunningError extends Error {}

// A path asked for in a sandbox does not exist or is not a regular file.
export class NoSuchFileError extends Error {}

// The operations a sandbox server performs on containers, by container name.
export interface Driver {
  run(name: string, spec: RunSpec): Promise<void>;
  exec(name: string, request: ExecRequest): Promise<ExecResult>;
  // Stops the container's processes, keeping the container (pause).
  stop(name: string): Promise<void>;
  // Starts a stopped container again (resume).
  start(name: string): Promise<void>;
  // Removes containers, escalating for those that will not stop; returns what is left.
  remove(names: string[]): Promise<Leftover[]>;
  // Every container this server started (by its label), keyed by name.
  states(): Promise<Map<string, ContainerState>>;
  // The container's last LINES lines of output.
  logs(name: string, lines: number): Promise<string>;
  copyIn(name: string, path: string, data: Buffer): Promise<void>;
  copyOut(name: string, path: string): Promise<FileOut>;
  imageInfo(image: string): Promise<ImageInfo | undefined>;
  // Builds DIR (a context with a Dockerfile) into TAGS; resolves with the build's last lines.
  build(dir: string, tags: string[]): Promise<{ ok: boolean; log: string }>;
}
