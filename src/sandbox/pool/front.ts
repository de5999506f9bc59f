// The pool front: one URL for sandbox workers on several nodes, speaking the same API as a worker.
// Starts (/start, POST /sandboxes) go to the worker placement picks; the OpenHands client then
// talks to the returned url, the worker node's own address. Management calls go to the worker
// that owns the sandbox; /list, /sandboxes, /runtime/ID and /sessions/SID answer for all workers.
// A worker that dies takes only its own sandboxes with it: they report failed, starts go elsewhere.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { baseApp } from '../base-app.js';
import { ApiError } from '../errors.js';
import { countStates, Metrics, metricsRoutes, type Census } from '../metrics.js';
import { place } from './placement.js';
import { connectionLost, describe, Worker, WorkerDied, type Answer } from './workers.js';

export type FrontOptions = {
  workers: Worker[];
  apiKey: string;
  // Largest request body passed on (uploads included).
  maxBodyBytes: number;
  // The front's URL as clients reach it (what /image_exists answers).
  publicUrl: () => string;
  // The node the front runs on (its own metrics' label).
  node: string;
  logLevel?: string;
  logStream?: DestinationStream;
};

// What the front remembers of a sandbox it started.
// ENDED: a client stopped it through the front (it is not lost if its worker dies later).
type Owned = { worker: Worker; sessionKey?: string; sessionId?: string; ended?: boolean };

// Sandboxes remembered; the oldest are forgotten beyond this, so a long run's memory stays flat.
const KEEP = 100_000;
// A start may take minutes (queue wait, image pull, /alive): no timeout of the front's own.
const CALL_TIMEOUT_MS = 60_000;

// The state of one front: the workers, who owns which sandbox, which node has which image.
export class Front {
  readonly owners = new Map<string, Owned>();
  readonly sessions = new Map<string, string>();
  // image -> node -> has it (asked once per image and node; a start there makes it true).
  readonly images = new Map<string, Map<string, boolean>>();
  readonly metrics: Metrics;

  constructor(readonly o: FrontOptions) {
    this.metrics = new Metrics(o.node, () => this.census());
  }

  get workers(): Worker[] {
    return this.o.workers;
  }

  get live(): Worker[] {
    return this.workers.filter((w) => w.up);
  }

  // Sandboxes by node and state as last polled, plus those lost with a dead worker (failed).
  census(): Census {
    const sandboxes = this.workers.flatMap((w) => (w.up ? countStates(w.node, w.figures.states) : []));
    for (const w of this.workers.filter((x) => !x.up)) {
      const lost = [...this.owners.values()].filter((s) => s.worker === w && !s.ended).length;
      if (lost) sandboxes.push({ node: w.node, state: 'failed', count: lost });
    }
    return {
      sandboxes,
      queue: this.workers.map((w) => ({
        node: w.node,
        waiting: w.up ? w.figures.waiting : 0,
        slots: w.up ? w.figures.size : 0,
      })),
      workers: this.workers.map((w) => ({ node: w.node, up: w.up })),
    };
  }

  // Polls every live worker once; returns the ones found dead.
  async poll(timeoutMs = 2000, maxMisses = 3): Promise<Worker[]> {
    const died = await Promise.all(this.live.map(async (w) => ((await w.poll(timeoutMs, maxMisses)) ? w : undefined)));
    return died.filter((w): w is Worker => w !== undefined);
  }

  // Whether each live worker has IMAGE (asked once per image and node).
  async withImage(image: string): Promise<{ worker: Worker; hasImage: boolean }[]> {
    const known = this.images.get(image) ?? new Map<string, boolean>();
    this.images.set(image, known);
    await Promise.all(
      this.live
        .filter((w) => !known.has(w.node))
        .map(async (w) => {
          try {
            const r = await w.call('GET', `/image_exists?image=${encodeURIComponent(image)}`, { timeoutMs: 10_000 });
            if (r.statusCode === 200) known.set(w.node, ((await r.body.json()) as { exists: boolean }).exists === true);
            else await r.body.dump();
          } catch {
            // unknown: asked again at the next start; the poll decides whether the worker is dead
          }
        }),
    );
    return this.live.map((worker) => ({ worker, hasImage: known.get(worker.node) === true }));
  }

  // The worker for a start of IMAGE (undefined: the worker's default image).
  async choose(image: string | undefined): Promise<Worker> {
    const options = image ? await this.withImage(image) : this.live.map((worker) => ({ worker, hasImage: true }));
    const chosen = place(options.map((c) => ({ ...c, node: c.worker.node, free: c.worker.free })));
    if (!chosen)
      throw new ApiError(503, 'no sandbox worker is alive; the pool cannot start sandboxes (see the runtime job log)');
    return chosen.worker;
  }

  // Records a sandbox started on WORKER.
  remember(id: string, owned: Owned, image: string | undefined): void {
    this.owners.set(id, owned);
    if (owned.sessionId) this.sessions.set(owned.sessionId, id);
    if (image) this.images.get(image)?.set(owned.worker.node, true);
    owned.worker.figures.used += 1;
    owned.worker.figures.states.push('running');
    for (const [old, s] of this.owners) {
      if (this.owners.size <= KEEP) break;
      this.owners.delete(old);
      if (s.sessionId) this.sessions.delete(s.sessionId);
    }
  }

  // The owner of ID, or a 404.
  owner(id: string): Owned {
    const s = this.owners.get(id);
    if (!s) throw new ApiError(404, `no sandbox ${id}`);
    return s;
  }
}

// Why a sandbox on a dead worker is gone.
const lostReason = (w: Worker) => `its worker on ${w.node} died (${w.reason})`;

// Builds the front's HTTP server (not yet listening).
export function buildFront(front: Front): FastifyInstance {
  const { o } = front;
  const app = baseApp({
    bodyLimit: o.maxBodyBytes,
    apiKey: o.apiKey,
    open: ['/health', '/metrics'],
    sessionKey: (id) => front.owners.get(id)?.sessionKey,
    ...(o.logLevel ? { logLevel: o.logLevel } : {}),
    ...(o.logStream ? { logStream: o.logStream } : {}),
  });
  // Every body is passed on as bytes; the front reads JSON only where it must (image, runtime_id).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // Measured like a worker (same hook), counted per worker in the census.
  metricsRoutes(app, front.metrics);

  // Calls WORKER; a broken connection marks it dead and answers 502 (the client retries the start
  // elsewhere); any other failure is the worker's answer or a 504.
  const call = async (worker: Worker, request: FastifyRequest, path: string, timeoutMs?: number): Promise<Answer> => {
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    const contentType = request.headers['content-type'];
    const wasDead = !worker.up;
    try {
      return await worker.call(request.method, path, {
        ...(body ? { body } : {}),
        ...(contentType ? { contentType } : {}),
        ...(timeoutMs ? { timeoutMs } : {}),
      });
    } catch (error) {
      // died while the call waited (found hung by the poller): its sandboxes are failed, start anew
      if (error instanceof WorkerDied && !wasDead) throw new ApiError(502, `${error.message}; start a new sandbox`);
      if (error instanceof WorkerDied) throw new ApiError(409, error.message);
      if (connectionLost(error)) {
        worker.die(`the connection broke: ${describe(error)}`);
        request.log.error(
          `worker on ${worker.node} (${worker.url}) is gone: ${describe(error)}; its sandboxes are failed`,
        );
        throw new ApiError(502, `the sandbox worker on ${worker.node} died (${describe(error)}); start a new sandbox`);
      }
      if ((error as Error).name === 'TimeoutError' || (error as { code?: string }).code === 'UND_ERR_ABORTED')
        throw new ApiError(504, `the sandbox worker on ${worker.node} did not answer in ${timeoutMs! / 1000} s`);
      throw error;
    }
  };
  // Sends the worker's answer on as it came.
  const relay = (reply: FastifyReply, r: Answer) => {
    void reply.code(r.statusCode);
    for (const h of ['content-type', 'content-length', 'retry-after']) {
      const v = r.headers[h];
      if (typeof v === 'string') void reply.header(h, v);
    }
    if (r.statusCode === 204 || r.statusCode === 304) {
      r.body.resume();
      return reply.send();
    }
    return reply.send(r.body);
  };
  const ok = (r: Answer) => r.statusCode >= 200 && r.statusCode < 300;
  const json = (request: FastifyRequest): Record<string, unknown> => {
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) return {};
    try {
      const v = JSON.parse(request.body.toString('utf8'));
      return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
    } catch {
      return {}; // the worker answers the 400
    }
  };
  const readJson = async (r: Answer) => (await r.body.json()) as Record<string, unknown>;

  // A start: placed, passed on, remembered. The answer names the node.
  const start = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = json(request);
    const image = typeof body.image === 'string' && body.image ? body.image : undefined;
    const worker = await front.choose(image);
    worker.inflight += 1;
    let r: Answer;
    try {
      r = await call(worker, request, request.url);
    } finally {
      worker.inflight -= 1;
    }
    if (!ok(r)) return relay(reply, r);
    const answer = await readJson(r);
    const id = String(answer.runtime_id ?? answer.id);
    front.remember(
      id,
      {
        worker,
        ...(typeof answer.session_api_key === 'string' ? { sessionKey: answer.session_api_key } : {}),
        ...(typeof body.session_id === 'string' ? { sessionId: body.session_id } : {}),
      },
      image,
    );
    request.log.info(`sandbox ${id} started on ${worker.node}`);
    return reply.code(r.statusCode).send({ ...answer, node: worker.node });
  };
  // A sandbox lost with its worker, as /runtime/ID shows it.
  const lostRuntime = (id: string, s: Owned) => ({
    runtime_id: id,
    session_id: s.sessionId ?? id,
    status: s.ended ? 'stopped' : 'failed',
    pod_status: s.ended ? 'stopped' : 'failed',
    reason: s.ended ? 'stopped by a client' : lostReason(s.worker),
    node: s.worker.node,
    restart_count: 0,
    restart_reasons: [] as string[],
  });

  app.get('/health', async () => ({
    status: 'ok',
    workers: front.workers.map((w) => ({
      node: w.node,
      url: w.url,
      up: w.up,
      ...(w.up
        ? {
            slots: w.figures.size,
            used: w.figures.used,
            waiting: w.figures.waiting,
            sandboxes: w.figures.states.length,
          }
        : { reason: w.reason }),
    })),
  }));

  app.post('/start', start);
  app.post('/sandboxes', start);

  for (const verb of ['stop', 'pause', 'resume']) {
    app.post(`/${verb}`, async (request, reply) => {
      const id = String(json(request).runtime_id ?? '');
      if (!id) throw new ApiError(400, `the /${verb} request needs a runtime_id`);
      const s = front.owner(id);
      if (!s.worker.up) {
        if (verb === 'stop') return { status: 'success' }; // gone with its worker
        throw new ApiError(409, `sandbox ${id} is failed: ${lostReason(s.worker)}; start a new sandbox`);
      }
      const r = await call(s.worker, request, request.url, CALL_TIMEOUT_MS * 5);
      if (ok(r) && verb === 'stop' && !request.url.includes('remove=false')) s.ended = true;
      return relay(reply, r);
    });
  }

  app.get<{ Params: { id: string } }>('/runtime/:id', async (request, reply) => {
    const s = front.owners.get(request.params.id);
    if (!s) return { runtime_id: request.params.id, pod_status: 'not found' };
    if (!s.worker.up) return lostRuntime(request.params.id, s);
    const r = await call(s.worker, request, request.url, CALL_TIMEOUT_MS);
    return ok(r) ? { ...(await readJson(r)), node: s.worker.node } : relay(reply, r);
  });

  app.get<{ Params: { sid: string } }>('/sessions/:sid', async (request, reply) => {
    const id = front.sessions.get(request.params.sid);
    const s = id ? front.owners.get(id) : undefined;
    if (!id || !s) throw new ApiError(404, `no sandbox for session ${request.params.sid}`);
    if (!s.worker.up) return { ...lostRuntime(id, s), status: 'stopped' };
    const r = await call(s.worker, request, request.url, CALL_TIMEOUT_MS);
    return ok(r) ? { ...(await readJson(r)), node: s.worker.node } : relay(reply, r);
  });

  // Asks every live worker for PATH; answers of workers that fail meanwhile are left out.
  const gather = async (request: FastifyRequest, path: string) =>
    (
      await Promise.all(
        front.live.map(async (w) => {
          try {
            const r = await call(w, request, path, CALL_TIMEOUT_MS);
            if (ok(r)) return { worker: w, body: await readJson(r) };
            await r.body.dump();
            return undefined;
          } catch {
            return undefined;
          }
        }),
      )
    ).filter((x) => x !== undefined);

  app.get('/list', async (request) => ({
    runtimes: (await gather(request, '/list')).flatMap(({ worker, body }) =>
      (body.runtimes as object[]).map((r) => ({ ...r, node: worker.node })),
    ),
  }));

  app.get('/sandboxes', async (request) => {
    const answers = await gather(request, '/sandboxes');
    const slots = { size: 0, used: 0, waiting: 0 };
    for (const { body } of answers)
      for (const k of Object.keys(slots) as (keyof typeof slots)[]) slots[k] += (body.slots as typeof slots)[k];
    return {
      sandboxes: answers.flatMap(({ worker, body }) =>
        (body.sandboxes as object[]).map((s) => ({ ...s, node: worker.node })),
      ),
      slots,
    };
  });

  app.get('/registry_prefix', async (request, reply) => {
    const w = front.live[0];
    if (!w) throw new ApiError(503, 'no sandbox worker is alive');
    return relay(reply, await call(w, request, request.url, CALL_TIMEOUT_MS));
  });

  app.get('/image_exists', async (request) => {
    const image = (request.query as { image?: unknown }).image;
    if (typeof image !== 'string' || !/^[A-Za-z0-9][^\s]*$/.test(image) || image.length > 4096)
      throw new ApiError(400, 'give ?image=NAME');
    const nodes = await front.withImage(image);
    return {
      exists: nodes.some((n) => n.hasImage),
      nodes: nodes.filter((n) => n.hasImage).map((n) => n.worker.node),
      url: o.publicUrl(),
    };
  });

  for (const path of ['/build', '/build_status']) {
    app.all(path, async () => {
      throw new ApiError(
        501,
        'a sandbox pool does not build images: build the image where every node can pull it (a registry) or on each node',
      );
    });
  }

  // The simple API's per-sandbox calls, passed on to the owner.
  const perSandbox = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const s = front.owner(request.params.id);
    if (!s.worker.up) {
      const reason = s.ended ? 'stopped by a client' : lostReason(s.worker);
      const status = s.ended ? 'stopped' : 'failed';
      if (request.method === 'GET' && request.routeOptions.url === '/sandboxes/:id')
        return { id: request.params.id, status, reason, node: s.worker.node };
      if (request.method === 'DELETE') return reply.code(204).send();
      throw new ApiError(409, `sandbox ${request.params.id} is ${status} (${reason}); start a new sandbox`);
    }
    const r = await call(s.worker, request, request.url);
    if (ok(r) && request.method === 'DELETE') s.ended = true;
    return relay(reply, r);
  };
  app.get('/sandboxes/:id', perSandbox);
  app.delete('/sandboxes/:id', perSandbox);
  app.post('/sandboxes/:id/exec', perSandbox);
  app.get('/sandboxes/:id/files', perSandbox);
  app.put('/sandboxes/:id/files', perSandbox);
  return app;
}
