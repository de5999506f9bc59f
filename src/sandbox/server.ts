// The HTTP API of `slurm-oci sandbox serve` (Fastify): health, the simple sandbox API
// (routes/simple.ts) and the OpenHands remote-runtime API (routes/openhands.ts, routes/build.ts).
// Every route but /health and /metrics needs the API key (a sandbox's own session key serves its /sandboxes/ID
// routes). Only JSON bodies are parsed, up to --max-body-bytes, except an upload on its own route
// and a build's multipart body: any other content type is a 415 before its body is read.
import type { FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { baseApp } from './base-app.js';
import type { Builds } from './builds.js';
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

// Builds the server (not yet listening).
export function buildServer(o: ServerOptions): FastifyInstance {
  const { sandboxes } = o;
  const app = baseApp({
    bodyLimit: o.maxBodyBytes,
    apiKey: o.apiKey,
    open: o.metrics ? ['/health', '/metrics'] : ['/health'],
    sessionKey: (id) => sandboxes.find(id)?.sessionKey,
    ...(o.logLevel ? { logLevel: o.logLevel } : {}),
    ...(o.logStream ? { logStream: o.logStream } : {}),
  });

  app.get('/health', async () => ({ status: 'ok' }));
  if (o.metrics) metricsRoutes(app, o.metrics);
  simpleRoutes(app, sandboxes, o);
  openhandsRoutes(app, sandboxes, o);
  buildRoutes(app, o.builds, o);
  return app;
}
