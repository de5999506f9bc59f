import { Agent, request, type Dispatcher } from 'undici';

// One `sandbox serve` worker as a pool front sees it: its URL and key, its last known slots and
// sandboxes (polled), the starts the front has sent it, and whether it is still alive. Death is
// final: a worker that stopped answering has lost its sandboxes, and one that comes back later
// must not resurrect them.

// A worker's figures from its last answer to GET /sandboxes.
export type Figures = { size: number; used: number; waiting: number; states: string[]; containers: string[] };

// Errors undici throws when nothing listens or the connection broke (not when a request is slow).
const GONE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

// Whether ERROR says the worker is not there (any more).
export const connectionLost = (error: unknown): boolean => GONE.has((error as { code?: string }).code ?? '');

// A worker's answer: status, headers and the body as a stream (read it, relay it, or dump it).
export type Answer = Dispatcher.ResponseData;

// How a worker fails: the front reports it, in words, for each of its sandboxes.
export class WorkerDied extends Error {}

export class Worker {
  figures: Figures = { size: 0, used: 0, waiting: 0, states: [], containers: [] };
  // Starts sent and not answered yet.
  inflight = 0;
  up = true;
  // Keep-alive connections to it, many at once (a start can hold one for minutes).
  private readonly agent = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
  reason?: string;
  private misses = 0;
  // aborts every call still waiting when the worker dies: a hung worker must not hold a start forever
  private readonly gone = new AbortController();

  constructor(
    readonly node: string,
    readonly url: string,
    private readonly key: string,
  ) {}

  // Free slots as placement counts them.
  get free(): number {
    return this.figures.size - this.figures.used - this.figures.waiting - this.inflight;
  }

  // One request to the worker with its key; BODY is sent as is with CONTENTTYPE. undici's request
  // rather than fetch: no WHATWG streams in between, a third of fetch's cost per proxied call.
  async call(
    method: string,
    path: string,
    o: { body?: Buffer; contentType?: string; timeoutMs?: number } = {},
  ): Promise<Answer> {
    if (!this.up) throw new WorkerDied(`the worker on ${this.node} died (${this.reason})`);
    return request(`${this.url}${path}`, {
      dispatcher: this.agent,
      method: method as Dispatcher.HttpMethod,
      headers: { 'x-api-key': this.key, ...(o.contentType ? { 'content-type': o.contentType } : {}) },
      ...(o.body ? { body: o.body } : {}),
      signal: o.timeoutMs ? AbortSignal.any([this.gone.signal, AbortSignal.timeout(o.timeoutMs)]) : this.gone.signal,
    });
  }

  // Refreshes the figures; MAXMISSES failed polls in a row (or a refused connection) mean death.
  // Returns true when this poll found it dead.
  async poll(timeoutMs: number, maxMisses: number): Promise<boolean> {
    if (!this.up) return false;
    try {
      const r = await this.call('GET', '/sandboxes', { timeoutMs });
      if (r.statusCode !== 200) {
        await r.body.dump();
        throw new Error(`GET /sandboxes answered HTTP ${r.statusCode}`);
      }
      const body = (await r.body.json()) as {
        sandboxes: { status: string; container: string }[];
        slots: { size: number; used: number; waiting: number };
      };
      this.figures = {
        ...body.slots,
        states: body.sandboxes.map((s) => s.status),
        containers: body.sandboxes.map((s) => s.container),
      };
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

  // Closes its connections (the front is stopping).
  async close(): Promise<void> {
    await this.agent.close().catch(() => {});
  }

  // Marks the worker dead (once).
  die(reason: string): void {
    if (!this.up) return;
    this.up = false;
    this.reason = reason;
    this.gone.abort(new WorkerDied(`the worker on ${this.node} died (${reason})`));
  }
}

// A failed call in words: the error code if there is one.
export const describe = (error: unknown): string => (error as { code?: string }).code ?? (error as Error).message;
