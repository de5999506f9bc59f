// Where one runtime call's output and foreground processes go: this process (the CLI), or, in the
// runtime server, the native front that sent the call (src/runtime/front/). Each call carries its
// Io in its Context, so the server runs the very same command code as the CLI.
import fs from 'node:fs';
import { runInheritHere } from './spawn.js';

export type Io = {
  write(fd: 1 | 2, text: string): void;
  // Runs BIN with the caller's stdio (under conmon it becomes the container's) and its fds 3.. (--preserve-fds).
  runInherit(bin: string, args: string[], extraFds: number): Promise<number>;
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
    remote: false,
  };
}

// Thrown in the server, before anything has changed, for a call only the Node CLI can serve
// (the scrun backend's supervisor must be the caller's child; rarely used commands): the front
// then runs the CLI with the same arguments.
export class Declined extends Error {}

// Throws Declined when IO is the front's.
export function declineIfRemote(io: Io, why: string): void {
  if (io.remote) throw new Declined(why);
}
