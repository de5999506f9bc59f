// Where one runtime call's output and foreground processes go: this process (the CLI), or, in the
// runtime server, the native front that sent the call (src/runtime/front/). Each call carries its
// Io in its Context, so the server runs the very same command code as the CLI.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { runInheritHere } from './spawn.js';

export type Io = {
  write(fd: 1 | 2, text: string): void;
  // Runs BIN with the caller's stdio (under conmon it becomes the container's) and its fds 3.. (--preserve-fds).
  runInherit(bin: string, args: string[], extraFds: number): Promise<number>;
  // Starts BIN in a session of its own with the caller's stdio and does not wait: the scrun
  // supervisor, which must descend from the caller so that conmon (a subreaper) adopts it. Its pid.
  spawnDetached(bin: string, args: string[]): Promise<number>;
  // Calls HANDLER on SIGINT/SIGTERM to the caller until the returned function is called.
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
  // True in the server: it declines what it cannot serve (see Declined).
  remote: boolean;
  // The server only: keeps the caller as the scrun supervisor's hand (see Hand); the CLI starts
  // a Node supervisor instead.
  hand?: () => Promise<Hand>;
};

// A process of the caller's (the native front's child) that stands for a scrun container while the
// runtime server supervises it in its own warm process: Podman's pid file names it and conmon
// adopts it, it runs `scrun create` with the container's stdio, passes its signals on, and exits
// with the container's code.
export type Hand = {
  pid: number;
  // the create call's environment, for the Slurm commands the supervision runs
  env: NodeJS.ProcessEnv;
  // Runs BIN with the hand's stdin and stdout (one at a time); its stderr goes to ON_STDERR.
  run(
    bin: string,
    args: string[],
    onStderr: (chunk: Buffer) => void,
  ): { pid: Promise<number>; exited: Promise<number>; gone: Promise<void> };
  // Writes to the hand's stderr (the container's).
  stderr(chunk: Buffer): void;
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
  // Ends the hand with CODE, the container's exit code (conmon reports it).
  exit(code: number): void;
  // Resolves when the hand has gone (killed, or exited).
  closed: Promise<void>;
};

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  for (let done = 0; done < data.length;) {
    try {
      done += fs.writeSync(fd, data, done);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    }
  }
}

// The CLI's io: fds 1 and 2 written directly (process.stdout/stderr streams cost ~3 ms of every start).
export function localIo(env: NodeJS.ProcessEnv): Io {
  return {
    write: writeAll,
    runInherit: async (bin, args, extraFds) => runInheritHere(bin, args, extraFds, env),
    spawnDetached: (bin, args) =>
      new Promise((resolve, reject) => {
        const child = spawn(bin, args, { detached: true, stdio: 'inherit', env });
        child.once('error', reject).once('spawn', () => {
          child.unref();
          resolve(child.pid!);
        });
      }),
    onSignal(handler) {
      process.on('SIGINT', handler).on('SIGTERM', handler);
      return () => void process.off('SIGINT', handler).off('SIGTERM', handler);
    },
    remote: false,
  };
}

// Thrown in the server, before anything has changed, for a call only the Node CLI can serve
// (rarely used commands, scrun's slow cleanup): the front then runs the CLI with the same arguments.
export class Declined extends Error {}

// Throws Declined when IO is the front's.
export function declineIfRemote(io: Io, why: string): void {
  if (io.remote) throw new Declined(why);
}
