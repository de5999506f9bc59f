// Prometheus metrics of a sandbox server or pool front (GET /metrics, text format 0.0.4): sandboxes
// by state and node, queue length, start and exec latency, errors by kind. One registry per server
// (no module globals: a test runs several servers in one process). Latency and errors are measured
// at the HTTP layer, so the same hook serves a worker and the front, whose routes are the same.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sandboxes } from './sandboxes.js';

// What a server counts when scraped: sandboxes by node and state, and per node the starts waiting
// for a slot and the slots there are.
export type Census = {
  sandboxes: { node: string; state: string; count: number }[];
  queue: { node: string; waiting: number; slots: number }[];
  // The front only: workers by node, 1 when answering.
  workers?: { node: string; up: boolean }[];
};

// Seconds: a start is a container start plus an /alive wait (up to minutes); an exec is usually short.
const START_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];
const EXEC_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

// Error kinds by HTTP status, the words an operator greps for.
const KINDS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'not_running',
  413: 'too_large',
  415: 'bad_content_type',
  429: 'busy',
  499: 'client_gone',
  500: 'internal',
  502: 'worker_unreachable',
  503: 'start_failed',
};
export const errorKind = (status: number): string => KINDS[status] ?? `http_${status}`;

// One server's metrics.
export class Metrics {
  readonly registry = new Registry();
  readonly starts: Histogram<'node' | 'outcome'>;
  readonly execs: Histogram<'node'>;
  readonly errors: Counter<'kind'>;

  // NODE labels what this process measures itself (start and exec latency); CENSUS is read at scrape time.
  constructor(
    readonly node: string,
    census: () => Census | Promise<Census>,
  ) {
    const registers = [this.registry];
    // Cheap: a worker counts its registry, a front its last poll of the workers (it asks none here).
    const take = async () => census();
    new Gauge({
      name: 'slurm_oci_sandboxes',
      help: 'Sandboxes known, by node and state (stopped ones are remembered for a while)',
      labelNames: ['node', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const s of (await take()).sandboxes) this.set({ node: s.node, state: s.state }, s.count);
      },
    });
    new Gauge({
      name: 'slurm_oci_sandbox_queue_length',
      help: 'Starts waiting for a free slot, by node',
      labelNames: ['node'],
      registers,
      async collect() {
        this.reset();
        for (const q of (await take()).queue) this.set({ node: q.node }, q.waiting);
      },
    });
    new Gauge({
      name: 'slurm_oci_sandbox_slots',
      help: 'Sandboxes that may run at once (--max-parallel), by node',
      labelNames: ['node'],
      registers,
      async collect() {
        this.reset();
        for (const q of (await take()).queue) this.set({ node: q.node }, q.slots);
      },
    });
    new Gauge({
      name: 'slurm_oci_pool_worker_up',
      help: 'Pool front: 1 while the worker on the node answers, 0 once it died',
      labelNames: ['node'],
      registers,
      async collect() {
        this.reset();
        for (const w of (await take()).workers ?? []) this.set({ node: w.node }, w.up ? 1 : 0);
      },
    });
    this.starts = new Histogram({
      name: 'slurm_oci_sandbox_start_seconds',
      help: 'Time to answer a start (POST /start or /sandboxes), queue wait included, by outcome',
      labelNames: ['node', 'outcome'],
      buckets: START_BUCKETS,
      registers,
    });
    this.execs = new Histogram({
      name: 'slurm_oci_sandbox_exec_seconds',
      help: 'Time to answer POST /sandboxes/ID/exec',
      labelNames: ['node'],
      buckets: EXEC_BUCKETS,
      registers,
    });
    this.errors = new Counter({
      name: 'slurm_oci_sandbox_errors_total',
      help: 'Requests answered with an error, by kind',
      labelNames: ['kind'],
      registers,
    });
  }
}

// Measures every answer of APP and serves GET /metrics (no API key: counts only, nothing secret,
// and Prometheus scrapes without custom headers).
export function metricsRoutes(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    if (route === 'POST /start' || route === 'POST /sandboxes') {
      metrics.starts.observe({ node: metrics.node, outcome: status < 400 ? 'ok' : errorKind(status) }, seconds);
    } else if (route === 'POST /sandboxes/:id/exec' && status < 400) {
      metrics.execs.observe({ node: metrics.node }, seconds);
    }
    if (status >= 400) metrics.errors.inc({ kind: errorKind(status) });
  });
  app.get('/metrics', async (_request, reply) => {
    void reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}

// Counts sandboxes by state from a list of states.
export function countStates(node: string, states: string[]): Census['sandboxes'] {
  const counts = new Map<string, number>();
  for (const s of states) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([state, count]) => ({ node, state, count }));
}

// The metrics of one worker server on NODE, counted from its registry.
export const workerMetrics = (node: string, sandboxes: Sandboxes): Metrics =>
  new Metrics(node, () => ({
    sandboxes: countStates(
      node,
      sandboxes.known().map((s) => s.status),
    ),
    queue: [{ node, waiting: sandboxes.slots.waiting, slots: sandboxes.slots.size }],
  }));
