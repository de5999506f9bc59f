// One `sandbox serve` worker as a pool front sees it: its URL and key, its last known slots and
// sandboxes (polled), the starts the front has sent it, and whether it is still alive. Death is
// final: a worker that stopped answering has lost its sandboxes, and one that comes back later
// must not resurrect them.

// A worker's figures from its last answer to GET /sandboxes.
export type Figures = { size: number; used: number; waiting: number; states: string[]; containers: string[] };

// Errors fetch throws when nothing listens or the connection broke (not when a request is slow).
const GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

// Whether ERROR (from fetch) says the worker is not there (any more).
export const connectionLost = (error: unknown): boolean => {
  const cause = (error as { cause?: { code?: string } }).cause;
  return GONE.has(cause?.code ?? '') || /other side closed|socket/i.test(String((cause as Error | undefined)?.message ?? ''));
};

// How a worker fails: the front reports it, in words, for each of its sandboxes.
export class WorkerDied extends Error {}

export class Worker {
  figures: Figures = { size: 0, used: 0, waiting: 0, states: [], containers: [] };
  // Starts sent and not answered yet.
  inflight = 0;
  up = true;
  reason?: string;
  private misses = 0;

  constructor(
    readonly node: string,
    readonly url: string,
    private readonly key: string,
  ) {}

  // Free slots as placement counts them.
  get free(): number {
    return this.figures.size - this.figures.used - this.figures.waiting - this.inflight;
  }

  // One request to the worker with its key; BODY is sent as is with CONTENTTYPE.
  async call(method: string, path: string, o: { body?: Buffer; contentType?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<Response> {
    if (!this.up) throw new WorkerDied(`the worker on ${this.node} died (${this.reason})`);
    const signals = [o.signal, o.timeoutMs ? AbortSignal.timeout(o.timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
    return fetch(`${this.url}${path}`, {
      method,
      headers: { 'x-api-key': this.key, ...(o.contentType ? { 'content-type': o.contentType } : {}) },
      ...(o.body ? { body: new Uint8Array(o.body) } : {}),
      ...(signals.length ? { signal: AbortSignal.any(signals) } : {}),
    });
  }

  // Refreshes the figures; MAXMISSES failed polls in a row (or a refused connection) mean death.
  // Returns true when this poll found it dead.
  async poll(timeoutMs: number, maxMisses: number): Promise<boolean> {
    if (!this.up) return false;
    try {
      const r = await this.call('GET', '/sandboxes', { timeoutMs });
      if (!r.ok) throw new Error(`GET /sandboxes answered HTTP ${r.status}`);
      const body = (await r.json()) as { sandboxes: { status: string; container: string }[]; slots: { size: number; used: number; waiting: number } };
      this.figures = { ...body.slots, states: body.sandboxes.map((s) => s.status), containers: body.sandboxes.map((s) => s.container) };
      this.misses = 0;
      return false;
    } catch (error) {
      this.misses += 1;
      if (connectionLost(error) || this.misses >= maxMisses) {
        this.die(`it stopped answering: ${describe(error)}`);
        return true;
      }
      return false;
    }
  }

  // Marks the worker dead (once).
  die(reason: string): void {
    if (!this.up) return;
    this.up = false;
    this.reason = reason;
  }
}

// A fetch failure in words (fetch's own message is only "fetch failed").
export const describe = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
};
