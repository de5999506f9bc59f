// The runtime server: a warm Node process that answers the native front's calls with the same
// command code as the CLI (main()), so a call costs a few milliseconds instead of Node's start-up.
// The front starts it on its unix socket when none answers (SLURM_OCI_SERVE=PATH). Every call
// brings its own io, environment and cwd in its Context, so calls never see each other's state.
// It exits when idle, when its socket is taken, and makes room for itself: a server of another
// build for the same namespaces is replaced, and a user keeps at most MAX_SERVERS.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Declined, type Hand, type Io } from '../io.js';
import { main } from '../main.js';
import { frame, FrameReader, nulList, parseCall, type Call } from './protocol.js';

const IDLE_EXIT_MS = 10 * 60_000;
const CHECK_MS = 5_000;
export const MAX_SERVERS = 4;

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

// The sockets of other servers in SOCKET's directory that must go when this one starts: those of
// another build for the same user and mount namespaces, then the oldest beyond MAX_SERVERS.
// Socket names are front-BUILD-USERNS-MNTNS.sock (native/front.c); a server whose socket is
// removed exits at its next check.
export function socketsToRetire(socket: string, names: string[], mtimeOf: (name: string) => number): string[] {
  const parse = (name: string) => /^front-([0-9a-f]+)-(\d+-\d+)\.sock$/.exec(name);
  const mine = parse(path.basename(socket));
  const others = names.filter((n) => parse(n) && n !== path.basename(socket));
  const replaced = others.filter((n) => mine && parse(n)![2] === mine[2]);
  const kept = others.filter((n) => !replaced.includes(n)).sort((a, b) => mtimeOf(b) - mtimeOf(a));
  return [...replaced, ...kept.slice(MAX_SERVERS - 1)];
}

function retireOthers(socket: string): void {
  const dir = path.dirname(socket);
  const mtime = (name: string) => {
    try {
      return fs.statSync(path.join(dir, name)).mtimeMs;
    } catch {
      return 0;
    }
  };
  for (const name of socketsToRetire(socket, fs.readdirSync(dir), mtime))
    fs.rmSync(path.join(dir, name), { force: true });
}

// What one connection's call is waiting for from its front: answers to R, D, H and A frames, in
// order, the handlers of the signals the front passes on, and, once the front made a hand, its A
// process's stderr, exit and end of stderr (frames e, x, g).
type Pending = {
  answers: Array<(value: number) => void>;
  onSignal: Set<(signal: NodeJS.Signals) => void>;
  handMade?: boolean;
  run?: { onStderr: (chunk: Buffer) => void; exited: (code: number) => void; gone: () => void };
};

const SIGNALS: Record<string, NodeJS.Signals> = { 1: 'SIGHUP', 2: 'SIGINT', 15: 'SIGTERM' };

// The front's child that stands for a scrun container (io.ts's Hand), on the create call's CONN.
async function makeHand(conn: net.Socket, pending: Pending, env: NodeJS.ProcessEnv): Promise<Hand> {
  const pid = await ask(conn, pending, frame('H'));
  if (!pid) throw new Error('the runtime front could not start the scrun supervisor');
  pending.handMade = true;
  const closed = new Promise<void>((resolve) => conn.once('close', () => resolve()));
  return {
    pid,
    env,
    run(bin, args, onStderr) {
      let exited: (code: number) => void = () => {};
      let gone: () => void = () => {};
      const run = {
        exited: new Promise<number>((resolve) => (exited = resolve)),
        gone: new Promise<void>((resolve) => (gone = resolve)),
      };
      pending.run = { onStderr, exited, gone };
      // the hand gone, or the process not started: no end will be reported
      void closed.then(() => (exited(255), gone()));
      const pid = ask(conn, pending, frame('A', nulList([bin, ...args])));
      void pid.then(
        (p) => p || (exited(127), gone()),
        () => {},
      );
      return { ...run, pid: pid.catch(() => 0) };
    },
    stderr: (chunk) => void (!conn.destroyed && conn.write(frame('E', chunk))),
    onSignal(handler) {
      pending.onSignal.add(handler);
      return () => void pending.onSignal.delete(handler);
    },
    exit: (code) => void (!conn.destroyed && conn.end(frame('X', String(code)))),
    closed,
  };
}

// Sends FRAME to the front and resolves with its S answer.
function ask(conn: net.Socket, pending: Pending, request: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    if (conn.destroyed) return reject(new Error('the front went away'));
    pending.answers.push(resolve);
    conn.once('close', () => reject(new Error('the front went away')));
    conn.write(request);
  });
}

// Runs CALL for the front on CONN; the front runs the processes that need its stdio.
async function serveCall(conn: net.Socket, call: Call, pending: Pending): Promise<void> {
  const io: Io = {
    remote: true,
    write: (fd, text) => void conn.write(frame(fd === 1 ? 'O' : 'E', text)),
    runInherit: (bin, args) => ask(conn, pending, frame('R', nulList([bin, ...args]))),
    spawnDetached: async (bin, args) => {
      const pid = await ask(conn, pending, frame('D', nulList([bin, ...args])));
      if (!pid) throw new Error(`the runtime front could not start ${bin}`);
      return pid;
    },
    hand: () => makeHand(conn, pending, call.env),
    onSignal(handler) {
      if (pending.onSignal.size === 0) conn.write(frame('T', '1'));
      pending.onSignal.add(handler);
      return () => {
        pending.onSignal.delete(handler);
        if (pending.onSignal.size === 0 && !conn.destroyed) conn.write(frame('T', '0'));
      };
    },
  };
  try {
    const code = await main(call.argv, { io, env: call.env, cwd: call.cwd });
    // a hand's first X ends its parent, the create call; a create that succeeded supervises the
    // container on this connection, which ends with the hand's X. One that failed ends it now.
    if (!pending.handMade) conn.end(frame('X', String(code)));
    else if (code === 0) conn.write(frame('X', '0'));
    else conn.end(Buffer.concat([frame('X', String(code)), frame('X', String(code))]));
  } catch (error) {
    // Declined: nothing has happened yet, the CLI takes over
    conn.end(error instanceof Declined ? frame('C') : frame('X', '1'));
  }
}

// Listens on SOCKET until idle for IDLE_EXIT_MS or until another server has taken the path.
export async function serve(socket: string): Promise<void> {
  fs.mkdirSync(path.dirname(socket), { recursive: true, mode: 0o700 });
  if (await answers(socket)) return;
  fs.rmSync(socket, { force: true });
  let lastCall = Date.now();
  let busy = 0;
  const server = net.createServer((conn) => {
    const reader = new FrameReader();
    const pending: Pending = { answers: [], onSignal: new Set() };
    conn.on('error', () => conn.destroy());
    conn.on('data', (chunk) => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch {
        return conn.destroy();
      }
      for (const f of frames) {
        if (f.type === 'S') pending.answers.shift()?.(Number(f.payload.toString()));
        else if (f.type === 'K') {
          const signal = SIGNALS[f.payload.toString()] ?? 'SIGTERM';
          for (const handler of pending.onSignal) handler(signal);
        } else if (f.type === 'e') pending.run?.onStderr(f.payload);
        else if (f.type === 'x') pending.run?.exited(Number(f.payload.toString()));
        else if (f.type === 'g') pending.run?.gone();
        else if (f.type === 'Q') {
          busy++;
          let call: Call;
          try {
            call = parseCall(f.payload);
          } catch {
            busy--;
            return conn.destroy();
          }
          void serveCall(conn, call, pending)
            .catch(() => void conn.destroy())
            .finally(() => {
              busy--;
              lastCall = Date.now();
            });
        } else return conn.destroy(); // the front sends nothing else
      }
    });
  });
  const mask = process.umask(0o077); // the socket: 0600, in a 0700 directory
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, resolve));
  process.umask(mask);
  process.chdir('/');
  retireOthers(socket);
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
