// The OpenHands remote runtime API, where it fits a Podman sandbox: /start, /stop, /runtime/{id},
// /sessions/{session_id}, /image_exists. `url` points at the sandbox's own routes of this server
// (exec, files); OpenHands' action-execution protocol itself is not served.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sandboxStart, sandboxStop } from '../generated/validators.cjs';
import { ApiError } from './errors.js';
import type { Sandbox, Sandboxes } from './sandboxes.js';
import { checkBody, clientGone } from './http.js';

type StartBody = {
  image?: string;
  command?: string[] | string;
  working_dir?: string;
  environment?: Record<string, string>;
  session_id?: string;
};

// OpenHands' pod_status words for our statuses ('ready' is what its client waits for).
const podStatus = { starting: 'pending', running: 'ready', exited: 'failed', stopped: 'stopped' } as const;

const describe = (request: FastifyRequest, s: Sandbox) => ({
  runtime_id: s.id,
  session_id: s.sessionId ?? s.id,
  url: `${request.protocol}://${request.host}/sandboxes/${s.id}`,
  session_api_key: s.sessionKey,
  status: s.status === 'running' ? 'running' : 'stopped',
  pod_status: podStatus[s.status],
  restart_count: 0,
  restart_reasons: [] as string[],
  work_hosts: {},
});

// Adds the alias routes to APP.
export function openhandsRoutes(app: FastifyInstance, sandboxes: Sandboxes): void {
  app.post('/start', { preValidation: checkBody(sandboxStart, 'the /start request') }, async (request, reply) => {
    const body = request.body as StartBody;
    const command = typeof body.command === 'string' ? ['/bin/sh', '-c', body.command] : body.command;
    const s = await sandboxes.create(
      {
        ...(body.image ? { image: body.image } : {}),
        ...(command ? { command } : {}),
        ...(body.working_dir ? { workdir: body.working_dir } : {}),
        ...(body.environment ? { env: body.environment } : {}),
        ...(body.session_id ? { sessionId: body.session_id } : {}),
      },
      clientGone(reply),
    );
    void reply.code(201);
    return describe(request, s);
  });

  app.post('/stop', { preValidation: checkBody(sandboxStop, 'the /stop request') }, async (request) => {
    await sandboxes.stop((request.body as { runtime_id: string }).runtime_id, 'stopped by a client');
    return {};
  });

  app.get<{ Params: { id: string } }>('/runtime/:id', async (request) => {
    await sandboxes.refresh();
    return describe(request, sandboxes.get(request.params.id));
  });

  app.get<{ Params: { sid: string } }>('/sessions/:sid', async (request) => {
    await sandboxes.refresh();
    const s = sandboxes.bySession(request.params.sid);
    if (!s) throw new ApiError(404, `no sandbox for session ${request.params.sid}`);
    return describe(request, s);
  });

  app.get('/image_exists', async (request) => {
    const image = (request.query as { image?: unknown }).image;
    if (typeof image !== 'string' || !/^[A-Za-z0-9][^\s]*$/.test(image)) throw new ApiError(400, 'give ?image=NAME');
    return { exists: await sandboxes.imageExists(image) };
  });
}
