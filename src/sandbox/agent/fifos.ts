// Named pipes for the agent's channel, made ahead of need: Node cannot make a FIFO itself, and one
// `mkfifo` per command would cost a process start, so each sandbox keeps a stock that one `mkfifo`
// call refills in the background.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

// Makes the FIFOs NAMES in DIR (mode 0600).
export async function mkfifo(dir: string, names: string[]): Promise<void> {
  const r = await execa('mkfifo', ['-m', '600', ...names.map((n) => path.join(dir, n))], { reject: false });
  if (r.exitCode !== 0) throw new Error(`mkfifo failed: ${String(r.stderr).trim() || r.shortMessage}`);
}

// A stock of fresh FIFO names in one directory.
export class FifoStock {
  private readonly ready: string[] = [];
  private next = 0;
  private refilling?: Promise<void>;

  constructor(
    private readonly dir: string,
    private readonly batch = 24,
  ) {}

  // A fresh FIFO's name (relative to the directory); waits for a refill when the stock is empty.
  async take(): Promise<string> {
    for (;;) {
      const name = this.ready.shift();
      if (this.ready.length < this.batch / 3) void this.refill().catch(() => {});
      if (name) return name;
      await this.refill();
    }
  }

  // Removes a used FIFO (the agent has closed it by then).
  drop(name: string): void {
    fs.unlink(path.join(this.dir, name), () => {});
  }

  // Makes another batch (one at a time); EXTRA names (the channel's own) ride along in the same call.
  refill(extra: string[] = []): Promise<void> {
    this.refilling ??= (async () => {
      const names = Array.from({ length: this.batch }, () => `f${(this.next += 1)}`);
      try {
        await mkfifo(this.dir, [...extra, ...names]);
        this.ready.push(...names);
      } finally {
        this.refilling = undefined;
      }
    })();
    return this.refilling;
  }
}
