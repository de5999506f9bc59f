// The HTTP API of `slurm-oci sandbox serve` (Fastify): health, the simple sandbox API
// (routes/simple.ts) and the OpenHands remote-runtime API (routes/openhands.ts, routes/build.ts).
// Every route but /health and /metrics needs the API key (a sandbox's own session key serves its /sandboxes/ID
// routes). Only JSON bodies are parsed, up to --max-body-bytes, except an upload on its own route
// and a build's multipart body: any other content type is a 415 before its body is read.
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { keyMatches } from './auth.js';
import type { Builds } from './builds.js';
import { ApiError } from './errors.js';
import { metricsRoutes, type Metrics } from './metrics.js';
import { buildRoutes } from './routes/build.js';
import { openhandsRoutes, type OpenhandsOptions } from './routes/openhands.js';
import { simpleRoutes } from './routes/simple.js';
import type { Sandboxes } from './sandboxes.js';

// What the HTTP layer needs.
export type ServerOptions = OpenhandsOptions & {
  sandboxes: Sandboxes;
  builds: Builds;
  apiKey: string;
  maxBodyBytes: number;
  maxUploadBytes: number;
  maxDownloadBytes: number;
  logLevel?: string;
  // Where log lines go (default stdout); tests pass a stream to read them.
  logStream?: DestinationStream;
  // Served on GET /metrics and fed by every answer.
  metrics?: Metrics;
};

// Longest error message sent back (a huge image name or path must not come back whole).
const MAX_MESSAGE = 2000;

// Builds the server (not yet listening).
export function buildServer(o: ServerOptions): FastifyInstance {
  const { sandboxes } = o;
  const app = Fastify({
    bodyLimit: o.maxBodyBytes,
    forceCloseConnections: true,
    logger: {
      level: o.logLevel ?? 'info',
      redact: ['req.headers["x-api-key"]', 'req.headers["x-session-api-key"]'],
      ...(o.logStream ? { stream: o.logStream } : {}),
    },
  });

  // The server key, or a sandbox's own session key on that sandbox's routes (OpenHands' X-Session-API-Key).
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (route === '/health' || (route === '/metrics' && o.metrics)) return;
    if (keyMatches(request.headers['x-api-key'], o.apiKey)) return;
    const id = (request.params as { id?: string } | undefined)?.id;
    const own = id && route?.startsWith('/sandboxes/:id') ? sandboxes.find(id) : undefined;
    if (own && keyMatches(request.headers['x-session-api-key'], own.sessionKey)) return;
    const sent = request.headers['x-api-key'] === undefined ? 'no key' : 'a wrong key';
    request.log.warn({ method: request.method, url: request.url.slice(0, 200), ip: request.ip }, `rejected a request with ${sent}`);
    throw new ApiError(401, 'missing or wrong API key: send it in the X-API-Key header');
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply
      .code(status)
      .headers(error instanceof ApiError ? error.headers : {})
      .send({ error: error.message.slice(0, MAX_MESSAGE) });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200)}` });
  });

  app.get('/health', async () => ({ status: 'ok' }));
  if (o.metrics) metricsRoutes(app, o.metrics);
  simpleRoutes(app, sandboxes, o);
  openhandsRoutes(app, sandboxes, o);
  buildRoutes(app, o.builds, o);
  return app;
}
