// At most N sandboxes run at once; a start beyond that waits in line for a bounded time, then is
// refused (the server answers 429), so a burst of agents neither overloads the node nor hangs.

// A start waited longer than the pool allows.
export class QueueTimeoutError extends Error {
  constructor(readonly waitedMs: number) {
    super(`all sandbox slots stayed busy for ${Math.round(waitedMs / 1000)} s`);
  }
}

// The pool was closed (the server is shutting down).
export class PoolClosedError extends Error {
  constructor() {
    super('the sandbox server is shutting down');
  }
}

type Waiter = { grant: (release: () => void) => void; fail: (error: Error) => void };

// Counting slots with a FIFO queue of bounded wait.
export class Pool {
  private used = 0;
  private closed = false;
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly size: number,
    readonly maxWaitMs: number,
  ) {}

  // Slots in use and starts waiting for one.
  get stats(): { used: number; waiting: number; size: number } {
    return { used: this.used, waiting: this.waiters.length, size: this.size };
  }

  // Resolves to a release function (safe to call twice) once a slot is free; rejects with
  // QueueTimeoutError after maxWaitMs, PoolClosedError on close, or SIGNAL's reason when aborted.
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    if (this.used < this.size) {
      this.used += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const leave = (error: Error) => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        cleanup();
        reject(error);
      };
      const onAbort = () => leave(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      const timer = setTimeout(() => leave(new QueueTimeoutError(Date.now() - started)), this.maxWaitMs);
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        grant: (release) => {
          cleanup();
          resolve(release);
        },
        fail: leave,
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  // Refuses every waiting and future start.
  close(): void {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.fail(new PoolClosedError());
  }

  // A release function that hands the slot to the next waiter, or frees it.
  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiters.shift();
      if (next && !this.closed) next.grant(this.releaser());
      else this.used -= 1;
    };
  }
}
