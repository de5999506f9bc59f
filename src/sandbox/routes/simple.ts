// The simple sandbox API: POST/GET/DELETE /sandboxes, exec, and files. Uploads are the only
// non-JSON bodies, so their parser lives in this plugin's own context around the upload route.
import type { FastifyInstance } from 'fastify';
import { sandboxCreate, sandboxExec } from '../../generated/validators.cjs';
import { ApiError } from '../errors.js';
import { checkBody, clientGone, queryString } from '../http.js';
import type { Sandbox } from '../sandbox.js';
import type { Sandboxes } from '../sandboxes.js';

type CreateBody = { image?: string; env?: Record<string, string>; workdir?: string };
type ExecBody = { command: string[]; timeout?: number; stdin?: string; env?: Record<string, string>; workdir?: string };
type IdParams = { id: string };

// The JSON view of a sandbox.
export const view = (s: Sandbox) => ({
  id: s.id,
  status: s.status,
  image: s.image,
  container: s.container,
  created_at: new Date(s.createdAt).toISOString(),
  last_used_at: new Date(s.lastUsedAt).toISOString(),
  ...(s.exitCode === null ? {} : { exit_code: s.exitCode }),
  ...(s.reason ? { reason: s.reason } : {}),
  ...(s.sessionId ? { session_id: s.sessionId } : {}),
});

const filePath = (request: Parameters<typeof queryString>[0]) => {
  const p = queryString(request, 'path', '/absolute/path/in/the/sandbox');
  if (!p.startsWith('/')) throw new ApiError(400, 'give the file as ?path=/absolute/path/in/the/sandbox');
  return p;
};

// Adds the routes to APP.
export function simpleRoutes(
  app: FastifyInstance,
  sandboxes: Sandboxes,
  limits: { maxUploadBytes: number; maxDownloadBytes: number },
): void {
  app.post('/sandboxes', { preValidation: checkBody(sandboxCreate, 'the sandbox request') }, async (request, reply) => {
    const body = request.body as CreateBody;
    const s = await sandboxes.create(
      {
        ...(body.image ? { image: body.image } : {}),
        ...(body.env ? { env: body.env } : {}),
        ...(body.workdir ? { workdir: body.workdir } : {}),
      },
      clientGone(reply),
    );
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
      return sandboxes.exec(request.params.id, {
        ...body,
        signal: clientGone(reply),
        ...(timeout ? { timeoutMs: timeout * 1000 } : {}),
      });
    },
  );

  app.get<{ Params: IdParams }>('/sandboxes/:id/files', async (request, reply) => {
    const out = await sandboxes.download(request.params.id, filePath(request), limits.maxDownloadBytes);
    void reply.type('application/octet-stream').header('content-length', out.size);
    return reply.send(out.data);
  });

  void app.register(async (uploads) => {
    uploads.addContentTypeParser(
      'application/octet-stream',
      { parseAs: 'buffer', bodyLimit: limits.maxUploadBytes },
      (_r, body, done) => done(null, body),
    );
    uploads.put<{ Params: IdParams }>(
      '/sandboxes/:id/files',
      { bodyLimit: limits.maxUploadBytes },
      async (request, reply) => {
        if (!Buffer.isBuffer(request.body))
          throw new ApiError(415, 'send the file as Content-Type: application/octet-stream');
        await sandboxes.upload(request.params.id, filePath(request), request.body);
        void reply.code(204);
      },
    );
  });
}
