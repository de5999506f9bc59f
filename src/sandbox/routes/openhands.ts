// The OpenHands remote-runtime API as SkyRL-OpenHands' runtime server implements it and
// OpenHands' RemoteRuntime client calls it: /start answers once the sandbox's own server (the
// action-execution server inside the image) answers /alive, with that server's URL, so the client
// then talks to it directly. /stop, /pause, /resume, /runtime/{id}, /sessions/{sid}, /list,
// /registry_prefix and /image_exists complete it; /build is in build.ts.
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sandboxStart, sandboxStop } from '../../generated/validators.cjs';
import { ApiError } from '../errors.js';
import { checkBody, clientGone, queryString } from '../http.js';
import type { Sandbox } from '../sandbox.js';
import { urlOf, type Sandboxes } from '../sandboxes.js';

type StartBody = {
  image?: string;
  command?: string[] | string;
  working_dir?: string;
  environment?: Record<string, string>;
  session_id?: string;
  resource_factor?: number;
  workspace_mount_path?: string | null;
  workspace_mount_path_in_sandbox?: string | null;
  use_host_network?: boolean | null;
};

// What the routes need besides the registry.
export type OpenhandsOptions = {
  // The word /runtime/{id} gives a ready sandbox: SkyRL's client waits for 'running' (Docker's
  // word), upstream OpenHands' for 'ready'.
  readyStatus: 'running' | 'ready';
  registryPrefix: string;
  // This server's URL as clients reach it (the client re-targets itself at it after /image_exists).
  publicUrl: () => string;
  // Host directory under which a workspace mount may lie (absent: no workspace mounts).
  workspaceRoot?: string;
};

const podStatus = (s: Sandbox, ready: string) =>
  ({ starting: 'pending', running: ready, paused: 'paused', exited: 'failed', failed: 'failed', stopped: 'stopped' })[
    s.status
  ];

const workHosts = (host: string, s: Sandbox) =>
  Object.fromEntries((s.ports?.app ?? []).map((p) => [urlOf(host, p), p]));

// The workspace mount a start asks for, checked against --workspace-root.
function workspace(body: StartBody, root: string | undefined): { host: string; sandbox: string } | undefined {
  const host = body.workspace_mount_path;
  const sandbox = body.workspace_mount_path_in_sandbox;
  if (!host || !sandbox) return undefined;
  const resolved = path.resolve(host);
  if (!root || (resolved !== root && !resolved.startsWith(`${root}/`))) {
    throw new ApiError(
      403,
      `workspace_mount_path ${host} is not under the server's --workspace-root${root ? ` ${root}` : ' (none given)'}`,
    );
  }
  return { host: resolved, sandbox };
}

// Adds the routes to APP.
export function openhandsRoutes(app: FastifyInstance, sandboxes: Sandboxes, o: OpenhandsOptions): void {
  const host = sandboxes.o.publicHost;
  const describe = (s: Sandbox) => ({
    runtime_id: s.id,
    session_id: s.sessionId ?? s.id,
    url: s.ports ? urlOf(host, s.ports.exec) : undefined,
    work_hosts: workHosts(host, s),
    session_api_key: s.sessionKey,
    status: s.status,
    pod_status: podStatus(s, o.readyStatus),
    restart_count: 0,
    restart_reasons: [] as string[],
    image: s.image,
    ...(s.reason && s.status !== 'running' ? { reason: s.reason } : {}),
    ...(s.ports
      ? { ports: { container_port: s.ports.exec, vscode_port: s.ports.vscode, app_ports: s.ports.app } }
      : {}),
  });
  const runtimeId = (body: unknown) => (body as { runtime_id: string }).runtime_id;

  app.post('/start', { preValidation: checkBody(sandboxStart, 'the /start request') }, async (request, reply) => {
    const body = request.body as StartBody;
    if (body.command === undefined)
      throw new ApiError(400, 'the /start request needs a command: the server the sandbox runs');
    const mount = workspace(body, o.workspaceRoot);
    const s = await sandboxes.create(
      {
        command: body.command,
        serverPorts: true,
        ...(body.image ? { image: body.image } : {}),
        ...(body.working_dir ? { workdir: body.working_dir } : {}),
        ...(body.environment ? { env: body.environment } : {}),
        ...(body.session_id ? { sessionId: body.session_id } : {}),
        ...(body.resource_factor ? { resourceFactor: body.resource_factor } : {}),
        ...(typeof body.use_host_network === 'boolean' ? { hostNetwork: body.use_host_network } : {}),
        ...(mount ? { workspace: mount } : {}),
      },
      clientGone(reply),
    );
    return describe(s);
  });

  // remove=false keeps the container (as pause does), like SkyRL's server.
  app.post('/stop', { preValidation: checkBody(sandboxStop, 'the /stop request') }, async (request) => {
    const id = runtimeId(request.body);
    const keep = (request.query as { remove?: unknown }).remove === 'false';
    if (keep) await sandboxes.pause(id);
    else await sandboxes.stop(id, 'stopped by a client');
    return { status: 'success' };
  });

  app.post('/pause', { preValidation: checkBody(sandboxStop, 'the /pause request') }, async (request) => {
    await sandboxes.pause(runtimeId(request.body));
    return { status: 'success' };
  });

  app.post('/resume', { preValidation: checkBody(sandboxStop, 'the /resume request') }, async (request, reply) => {
    await sandboxes.resume(runtimeId(request.body), clientGone(reply));
    return { status: 'success' };
  });

  // Unknown ids are 'not found' with 200, which the client polls through while a start settles.
  app.get<{ Params: { id: string } }>('/runtime/:id', async (request) => {
    await sandboxes.refresh();
    const s = sandboxes.find(request.params.id);
    return s ? describe(s) : { runtime_id: request.params.id, pod_status: 'not found' };
  });

  app.get<{ Params: { sid: string } }>('/sessions/:sid', async (request) => {
    await sandboxes.refresh();
    const s = sandboxes.bySession(request.params.sid);
    if (!s || s.status === 'stopped') throw new ApiError(404, `no sandbox for session ${request.params.sid}`);
    return { ...describe(s), status: s.status === 'running' || s.status === 'paused' ? s.status : 'stopped' };
  });

  app.get('/list', async () => {
    await sandboxes.refresh();
    return { runtimes: sandboxes.list().map(describe) };
  });

  app.get('/registry_prefix', async () => ({ registry_prefix: o.registryPrefix }));

  app.get('/image_exists', async (request) => {
    const image = queryString(request, 'image', 'NAME');
    if (!/^[A-Za-z0-9][^\s]*$/.test(image)) throw new ApiError(400, `${image} is not an image name`);
    const info = await sandboxes.imageInfo(image);
    return {
      exists: info !== undefined,
      ...(info ? { image: { upload_time: info.created, image_size_bytes: info.size } } : {}),
      url: o.publicUrl(),
    };
  });
}
