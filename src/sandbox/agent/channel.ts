// The server's end of a sandbox agent (script.ts): writes requests to the agent's `req` FIFO, reads
// its replies from `res`, and connects each command's stdin, stdout and stderr FIFOs. Every FIFO is
// opened non-blocking (a blocking open or read would hold one of libuv's four pool threads) and
// without following symlinks, since the sandbox can write to the directory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { capture } from '../capture.js';
import { NotRunningError, type ExecResult } from '../driver.js';
import { FifoStock } from './fifos.js';
import { commandScript, frame, type AgentCommand } from './script.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_NONBLOCK, O_NOFOLLOW } = fs.constants;
// How long output may keep coming after the command exited (a background child holding stdout).
const DRAIN_MS = 200;
// How long a killed command may take to report its end before the call gives up on it.
const KILL_GRACE_MS = 2000;

// One command for the agent.
export type AgentExec = AgentCommand & {
  stdin?: string;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
};

type Pending = { started: () => void; exited: (code: number) => void; fail: (error: Error) => void };

// Opens the FIFO FILE with FLAGS, refusing anything that is not a FIFO.
function openFifo(file: string, flags: number): number {
  const fd = fs.openSync(file, flags | O_NONBLOCK | O_NOFOLLOW);
  if (!fs.fstatSync(fd).isFIFO()) {
    fs.closeSync(fd);
    throw new NotRunningError(`the sandbox replaced its channel file ${path.basename(file)}`);
  }
  return fd;
}

const closeFd = (fd: number | undefined) => {
  if (fd !== undefined) fs.close(fd, () => {});
};

// A live channel to one agent.
export class AgentChannel {
  private readonly pending = new Map<string, Pending>();
  private readonly req: net.Socket;
  private readonly res: net.Socket;
  private partial = '';
  private closed?: Error;

  private constructor(
    private readonly dir: string,
    private readonly stock: FifoStock,
  ) {
    // Read-write opens never see end-of-file, so a restarting agent (pause, resume) keeps its channel.
    this.req = new net.Socket({ fd: openFifo(path.join(dir, 'req'), O_RDWR), readable: false, writable: true });
    this.res = new net.Socket({ fd: openFifo(path.join(dir, 'res'), O_RDWR), readable: true, writable: false });
    this.req.on('error', (error) => this.close(error));
    this.res.on('error', (error) => this.close(error));
    this.res.setEncoding('utf8');
    this.res.on('data', (chunk: string) => this.onReplies(chunk));
  }

  // Makes the channel's FIFOs in DIR (before the container starts: the agent opens them at once).
  static async create(dir: string): Promise<AgentChannel> {
    const stock = new FifoStock(dir);
    await stock.refill(['req', 'res']); // one mkfifo per sandbox start
    return new AgentChannel(dir, stock);
  }

  // Runs one command; resolves with its result, or rejects with NotRunningError once the channel is closed.
  async exec(c: AgentExec): Promise<ExecResult> {
    if (this.closed) throw this.closed;
    const script = commandScript(c);
    let token = crypto.randomBytes(12).toString('hex');
    while (script.split('\n').includes(token)) token = crypto.randomBytes(12).toString('hex');
    const names = await Promise.all([
      this.stock.take(),
      this.stock.take(),
      ...(c.stdin === undefined ? [] : [this.stock.take()]),
    ]);
    const [o, e, i] = names.map((n) => path.join(this.dir, n)) as [string, string, string | undefined];
    const fds: (number | undefined)[] = [];
    try {
      const out = new net.Socket({ fd: openFifo(o, O_RDONLY), readable: true, writable: false });
      const err = new net.Socket({ fd: openFifo(e, O_RDONLY), readable: true, writable: false });
      // Writers of our own until the agent has opened its ends: a FIFO without writers reads as ended.
      fds.push(openFifo(o, O_WRONLY), openFifo(e, O_WRONLY), i ? openFifo(i, O_RDWR) : undefined);
      const header = `run ${names[0]} ${names[1]} ${names[2] ?? '-'}`;
      return await this.follow(token, header, script, c, { out, err, stdinFifo: i, holders: fds });
    } finally {
      for (const fd of fds.splice(0)) closeFd(fd);
      for (const n of names) this.stock.drop(n);
    }
  }

  // Stops serving: pending commands fail with REASON, and the FIFOs are closed.
  close(reason: Error = new NotRunningError('the sandbox stopped')): void {
    if (this.closed) return;
    this.closed = reason instanceof NotRunningError ? reason : new NotRunningError(reason.message);
    for (const p of this.pending.values()) p.fail(this.closed);
    this.pending.clear();
    this.req.destroy();
    this.res.destroy();
  }

  private follow(
    token: string,
    header: string,
    script: string,
    c: AgentExec,
    io: { out: net.Socket; err: net.Socket; stdinFifo: string | undefined; holders: (number | undefined)[] },
  ): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      const outText = capture(io.out, c.maxOutputBytes);
      const errText = capture(io.err, c.maxOutputBytes);
      let timedOut = false;
      let giveUp: NodeJS.Timeout | undefined;
      const streams = [io.out, io.err];
      const finish = () => {
        clearTimeout(timer);
        clearTimeout(giveUp);
        c.signal?.removeEventListener('abort', kill);
        this.pending.delete(token);
      };
      const kill = () => {
        if (giveUp) return;
        this.send(crypto.randomBytes(12).toString('hex'), `kill ${c.marker}`, '');
        giveUp = setTimeout(() => exited(137), KILL_GRACE_MS);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, c.timeoutMs);
      c.signal?.addEventListener('abort', kill, { once: true });
      const exited = (code: number) => {
        finish();
        const drain = setTimeout(() => streams.forEach((s) => s.destroy()), DRAIN_MS);
        void Promise.all([outText, errText]).then(([out, err]) => {
          clearTimeout(drain);
          resolve({
            exit_code: timedOut ? 124 : code,
            stdout: out.text,
            stderr: err.text,
            stdout_truncated: out.truncated,
            stderr_truncated: err.truncated,
            timed_out: timedOut,
          });
        }, reject);
      };
      this.pending.set(token, {
        started: () => {
          for (const fd of io.holders.splice(0, 2)) closeFd(fd);
          if (io.stdinFifo !== undefined) this.feed(io.stdinFifo, c.stdin ?? '', io.holders);
        },
        exited,
        fail: (error) => {
          finish();
          streams.forEach((s) => s.destroy());
          reject(error);
        },
      });
      this.send(token, header, script);
    });
  }

  private feed(file: string, data: string, holders: (number | undefined)[]): void {
    const writer = new net.Socket({ fd: openFifo(file, O_WRONLY), readable: false, writable: true });
    writer.on('error', () => {}); // the command need not read its stdin
    for (const fd of holders.splice(0)) closeFd(fd);
    writer.end(data);
  }

  private send(token: string, header: string, script: string): void {
    this.req.write(frame(token, header, script));
  }

  private onReplies(chunk: string): void {
    const lines = (this.partial + chunk).split('\n');
    this.partial = lines.pop() ?? '';
    if (this.partial.length > 4096) this.partial = ''; // not a reply of ours
    for (const line of lines) {
      const [token, what] = line.split(' ');
      const p = token ? this.pending.get(token) : undefined;
      if (!p) continue;
      if (what === 'S') p.started();
      else if (what !== undefined && /^\d+$/.test(what)) p.exited(Number(what));
    }
  }
}
