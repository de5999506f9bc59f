// The HTTP API of `slurm-oci sandbox serve` (Fastify): health, sandbox lifecycle, exec and files,
// plus the OpenHands runtime-API aliases (openhands.ts). Every route but /health needs the API key;
// bodies are checked against schemas/sandbox-*.schema.json (unknown fields 400, too large 413).
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import { sandboxCreate, sandboxExec } from '../generated/validators.cjs';
import { keyMatches } from './auth.js';
import { ApiError } from './errors.js';
import { checkBody, clientGone } from './http.js';
import { openhandsRoutes } from './openhands.js';
import { view, type Sandboxes } from './sandboxes.js';

// What the HTTP layer needs.
export type ServerOptions = {
  sandboxes: Sandboxes;
  apiKey: string;
  maxBodyBytes: number;
  maxUploadBytes: number;
  logLevel?: string;
  // Where log lines go (default stdout); tests pass a stream to read them.
  logStream?: DestinationStream;
};

type CreateBody = { image?: string; env?: Record<string, string>; workdir?: string };
type ExecBody = { command: string[]; timeout?: number; stdin?: string; env?: Record<string, string>; workdir?: string };
type IdParams = { id: string };

const filePath = (request: FastifyRequest): string => {
  const p = (request.query as { path?: unknown }).path;
  if (typeof p !== 'string' || !p.startsWith('/') || p.includes('\0')) {
    throw new ApiError(400, 'give the file as ?path=/absolute/path/in/the/sandbox');
  }
  return p;
};

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

  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer', bodyLimit: o.maxUploadBytes }, (_r, body, done) =>
    done(null, body),
  );

  // The server key, or a sandbox's own session key on that sandbox's routes (OpenHands' X-Session-API-Key).
  app.addHook('onRequest', async (request) => {
    const route = request.routeOptions.url;
    if (route === '/health') return;
    if (keyMatches(request.headers['x-api-key'], o.apiKey)) return;
    const id = (request.params as Partial<IdParams> | undefined)?.id;
    const own = id && route?.startsWith('/sandboxes/:id') ? sandboxes.find(id) : undefined;
    if (own && keyMatches(request.headers['x-session-api-key'], own.sessionKey)) return;
    const sent = request.headers['x-api-key'] === undefined ? 'no key' : 'a wrong key';
    request.log.warn({ method: request.method, url: request.url, ip: request.ip }, `rejected a request with ${sent}`);
    throw new ApiError(401, 'missing or wrong API key: send it in the X-API-Key header');
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    void reply
      .code(status)
      .headers(error instanceof ApiError ? error.headers : {})
      .send({ error: error.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  app.get('/health', async () => ({ status: 'ok' }));

  app.post('/sandboxes', { preValidation: checkBody(sandboxCreate, 'the sandbox request') }, async (request, reply) => {
    const body = request.body as CreateBody;
    const s = await sandboxes.create(body, clientGone(reply));
    void reply.code(201);
    return { ...view(s), session_api_key: s.sessionKey };
  });

  app.get('/sandboxes', async () => ({ sandboxes: sandboxes.list().map(view), slots: sandboxes.slots }));

  app.get<{ Params: IdParams }>('/sandboxes/:id', async (request) => {
    await sandboxes.refresh();
    return view(sandboxes.get(request.params.id));
  });

  app.delete<{ Params: IdParams }>('/sandboxes/:id', async (request, reply) => {
    await sandboxes.stop(request.params.id, 'stopped by a client');
    void reply.code(204);
  });

  app.post<{ Params: IdParams }>(
    '/sandboxes/:id/exec',
    { preValidation: checkBody(sandboxExec, 'the exec request') },
    async (request, reply) => {
      const { timeout, ...body } = request.body as ExecBody;
      const signal = clientGone(reply);
      return sandboxes.exec(request.params.id, { ...body, signal, ...(timeout ? { timeoutMs: timeout * 1000 } : {}) });
    },
  );

  app.put<{ Params: IdParams }>('/sandboxes/:id/files', { bodyLimit: o.maxUploadBytes }, async (request, reply) => {
    if (!Buffer.isBuffer(request.body)) throw new ApiError(415, 'send the file as Content-Type: application/octet-stream');
    await sandboxes.upload(request.params.id, filePath(request), request.body);
    void reply.code(204);
  });

  app.get<{ Params: IdParams }>('/sandboxes/:id/files', async (request, reply) => {
    const data = await sandboxes.download(request.params.id, filePath(request));
    void reply.type('application/octet-stream');
    return data;
  });

  openhandsRoutes(app, sandboxes);
  return app;
}
