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
};

function writeAll(fd: number, text: string): void {
  const data = Buffer.from(text);
  for (let done = 0; done < data.length; ) {
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
