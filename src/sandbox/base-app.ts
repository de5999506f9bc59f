// The Fastify app every sandbox HTTP server starts from (a worker's and the pool front's): keys
// redacted from the log, the API key checked on every route but the open ones, errors answered
// as `{"error": ...}` with their status and headers.
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { keyMatches } from './auth.js';
import { ApiError } from './errors.js';

export type BaseAppOptions = {
  bodyLimit: number;
  apiKey: string;
  // Routes that need no key (/health, /metrics).
  open: string[];
  // The session key of sandbox ID, which also serves that sandbox's /sandboxes/ID routes
  // (OpenHands' X-Session-API-Key).
  sessionKey: (id: string) => string | undefined;
  logLevel?: string;
  // Where log lines go (default stdout); tests pass a stream to read them.
  logStream?: DestinationStream;
};

// Longest error message sent back (a huge image name or path must not come back whole).
const MAX_MESSAGE = 2000;

// A new app with the key check and the error answers in place, no routes yet.
export function baseApp(o: BaseAppOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: o.bodyLimit,
    forceCloseConnections: true,
    logger: {
      level: o.logLevel ?? 'info',
      redact: ['req.headers["x-api-key"]', 'req.headers["x-session-api-key"]'],
      ...(o.logStream ? { stream: o.logStream } : {}),
    },
  });

  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (route && o.open.includes(route)) return;
    if (keyMatches(request.headers['x-api-key'], o.apiKey)) return;
    const id = (request.params as { id?: string } | undefined)?.id;
    const own = id && route?.startsWith('/sandboxes/:id') ? o.sessionKey(id) : undefined;
    if (own && keyMatches(request.headers['x-session-api-key'], own)) return;
    const sent = request.headers['x-api-key'] === undefined ? 'no key' : 'a wrong key';
    request.log.warn(
      { method: request.method, url: request.url.slice(0, 200), ip: request.ip },
      `rejected a request with ${sent}`,
    );
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
  return app;
}
