// The runtime server: a warm Node process that answers the native front's calls with the same
// command code as the CLI (main()), so a call costs a few milliseconds instead of Node's start-up.
// The front starts it on its unix socket when none answers (SLURM_OCI_SERVE=PATH); it serves one
// call at a time (a call sets process.env and the cwd) and exits when idle or replaced.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Declined, withIo, type Io } from '../io.js';
import { main } from '../main.js';
import { frame, FrameReader, nulList, parseCall, type Call } from './protocol.js';

const IDLE_EXIT_MS = 10 * 60_000;
const CHECK_MS = 5_000;

// Whether a server already answers on SOCKET.
function answers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect(socket, () => {
      conn.destroy();
      resolve(true);
    });
    conn.on('error', () => resolve(false));
  });
}

// Makes the process environment the caller's (child processes and the config lookup read it).
function useEnv(env: Record<string, string>): void {
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);
}

// Runs CALL for the front on CONN; the front runs the processes that need its stdio.
async function serveCall(conn: net.Socket, call: Call, statuses: Array<(code: number) => void>): Promise<void> {
  const remote: Io = {
    remote: true,
    write: (fd, text) => void conn.write(frame(fd === 1 ? 'O' : 'E', text)),
    runInherit: (bin, args) =>
      new Promise((resolve, reject) => {
        if (conn.destroyed) return reject(new Error('the front went away'));
        statuses.push(resolve);
        conn.once('close', () => reject(new Error('the front went away')));
        conn.write(frame('R', nulList([bin, ...args])));
      }),
  };
  try {
    process.chdir(call.cwd);
    useEnv(call.env);
    const code = await withIo(remote, () => main(call.argv));
    conn.end(frame('X', String(code)));
  } catch (error) {
    // Declined, or a cwd this process cannot enter: nothing has happened yet, the CLI takes over
    conn.end(error instanceof Declined || (error as NodeJS.ErrnoException).code === 'ENOENT' ? frame('C') : frame('X', '1'));
  } finally {
    process.chdir('/');
  }
}

// Listens on SOCKET until idle for IDLE_EXIT_MS or until another server has taken the path.
export async function serve(socket: string): Promise<void> {
  fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
  if (await answers(socket)) return;
  fs.rmSync(socket, { force: true });
  let queue = Promise.resolve();
  let lastCall = Date.now();
  let busy = 0;
  const server = net.createServer((conn) => {
    const reader = new FrameReader();
    const statuses: Array<(code: number) => void> = [];
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch {
        return conn.destroy();
      }
      for (const f of frames) {
        if (f.type === 'S') statuses.shift()?.(Number(f.payload.toString()));
        else if (f.type === 'Q') {
          busy++;
          queue = queue
            .then(() => serveCall(conn, parseCall(f.payload), statuses))
            .catch(() => void conn.destroy())
            .finally(() => {
              busy--;
              lastCall = Date.now();
            });
        }
      }
    });
  });
  const mask = process.umask(0o077); // the socket: 0600, in a 0700 directory
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, resolve));
  process.umask(mask);
  process.chdir('/');
  const inode = fs.statSync(socket).ino;
  const timer = setInterval(() => {
    let ours = false;
    try {
      ours = fs.statSync(socket).ino === inode;
    } catch {
      // removed: another server or a cleanup took it
    }
    if (!ours || (!busy && Date.now() - lastCall > IDLE_EXIT_MS)) {
      clearInterval(timer);
      server.close();
      if (ours) fs.rmSync(socket, { force: true });
    }
  }, CHECK_MS);
}
