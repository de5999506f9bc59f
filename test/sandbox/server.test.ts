// The HTTP API on a loopback port (Fastify's inject cannot load under jest's ESM mode), over the
// fake driver (no Podman on the unit-test machine; the agent script runs for real under the host's
// sh): auth, body rules, status codes, the queue, the OpenHands protocol, builds and reaping.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { afterEach, expect, test } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { Builds } from '../../src/sandbox/builds.js';
import { Pool } from '../../src/sandbox/pool.js';
import { Sandboxes } from '../../src/sandbox/sandboxes.js';
import { buildServer } from '../../src/sandbox/server.js';
import { FakeDriver } from './fake-driver.js';

const KEY = 'unit-test-key-0123456789abcdef';
let app: FastifyInstance;

type Reply = { statusCode: number; headers: Record<string, string>; rawPayload: Buffer; json: () => any };
type Request = { method: string; url: string; headers?: Record<string, string>; payload?: string | Buffer | object };

// Sends one request to the listening server.
async function inject(r: Request): Promise<Reply> {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const headers = { ...(r.headers ?? {}) };
  let body: string | Uint8Array | undefined;
  if (typeof r.payload === 'string') body = r.payload;
  else if (Buffer.isBuffer(r.payload)) body = new Uint8Array(r.payload);
  else if (r.payload !== undefined) {
    body = JSON.stringify(r.payload);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`http://127.0.0.1:${port}${r.url}`, {
    method: r.method,
    headers,
    ...(body === undefined ? {} : { body: body as BodyInit }),
  });
  const raw = Buffer.from(await res.arrayBuffer());
  return {
    statusCode: res.status,
    headers: Object.fromEntries(res.headers),
    rawPayload: raw,
    json: () => JSON.parse(raw.toString()),
  };
}

const workDirs: string[] = [];
let current: Sandboxes | undefined;
async function setup(
  o: {
    maxParallel?: number;
    queueMs?: number;
    maxExecs?: number;
    workspaceRoot?: string;
    ready?: 'running' | 'ready';
  } = {},
) {
  await current?.shutdown();
  const driver = new FakeDriver();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-server-test-'));
  workDirs.push(workDir);
  const sandboxes = new Sandboxes(driver, new Pool(o.maxParallel ?? 4, o.queueMs ?? 60_000), {
    prefix: 'slurm-oci-sandbox-test',
    defaultImage: 'localhost/busybox',
    defaultTimeoutMs: 5_000,
    maxOutputBytes: 1000,
    maxExecsPerSandbox: o.maxExecs ?? 8,
    workDir,
    cpus: 2,
    memoryBytes: 1 << 30,
    hostNetwork: true,
    publicHost: 'node7',
    startTimeoutMs: 3000,
  });
  let log = '';
  const logStream = new Writable({
    write(chunk, _enc, done) {
      log += String(chunk);
      done();
    },
  });
  await app?.close();
  app = buildServer({
    sandboxes,
    builds: new Builds(driver, workDir),
    apiKey: KEY,
    maxBodyBytes: 4096,
    maxUploadBytes: 8192,
    maxDownloadBytes: 100,
    logStream,
    logLevel: 'info',
    readyStatus: o.ready ?? 'running',
    registryPrefix: 'localhost/test',
    publicUrl: () => 'http://node7:8000',
    ...(o.workspaceRoot ? { workspaceRoot: o.workspaceRoot } : {}),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  current = sandboxes;
  const call = (
    method: string,
    url: string,
    payload?: unknown,
    headers: Record<string, string> = { 'x-api-key': KEY },
  ) => inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const create = async (body: object = {}) => {
    const r = await call('POST', '/sandboxes', body);
    expect(r.statusCode).toBe(201);
    return r.json() as { id: string; container: string; session_api_key: string };
  };
  return { driver, sandboxes, call, create, log: () => log };
}

afterEach(async () => {
  await current?.shutdown();
  await app?.close();
  for (const d of workDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const exec = (id: string) => `/sandboxes/${id}/exec`;

test('/health needs no key; everything else answers 401 without the key or with a wrong one, and the log never holds a key', async () => {
  const { call, log } = await setup();
  expect((await call('GET', '/health', undefined, {})).statusCode).toBe(200);
  expect((await call('GET', '/sandboxes', undefined, {})).statusCode).toBe(401);
  const wrong = await call('POST', '/sandboxes', {}, { 'x-api-key': 'guess-guess-guess-guess' });
  expect(wrong.statusCode).toBe(401);
  expect(wrong.json()).toEqual({ error: expect.stringContaining('X-API-Key') });
  expect((await call('GET', '/no/such/route', undefined, {})).statusCode).toBe(401);
  expect((await call('GET', '/list', undefined, {})).statusCode).toBe(401);
  expect((await call('GET', '/sandboxes')).statusCode).toBe(200);
  expect(log()).toContain('rejected a request with no key');
  expect(log()).toContain('rejected a request with a wrong key');
  expect(log()).not.toContain('guess-guess');
  expect(log()).not.toContain(KEY);
});

test('a sandbox runs its commands through the agent: exit codes, output, stdin, env, workdir; then it is deleted', async () => {
  const { call, create, driver } = await setup();
  const s = await create({ env: { A: 'b c' }, workdir: '/tmp' });
  expect(s.container).toBe(`slurm-oci-sandbox-test-${s.id}`);
  expect(driver.containers.get(s.container)?.spec).toMatchObject({
    image: 'localhost/busybox',
    env: { A: 'b c' },
    workdir: '/tmp',
    cpus: 2,
    memoryBytes: 1 << 30,
    hostNetwork: true,
    mounts: [{ host: expect.stringContaining(s.id), container: '/.slurm-oci' }],
  });
  const ok = await call('POST', exec(s.id), {
    command: ['sh', '-c', 'cat; echo "[$X]"; pwd; echo err >&2; exit 3'],
    stdin: 'in\n',
    env: { X: 'y z' },
    workdir: '/',
  });
  expect(ok.statusCode).toBe(200);
  expect(ok.json()).toEqual({
    exit_code: 3,
    stdout: 'in\n[y z]\n/\n',
    stderr: 'err\n',
    stdout_truncated: false,
    stderr_truncated: false,
    timed_out: false,
  });
  const long = await call('POST', exec(s.id), { command: ['sh', '-c', 'yes | head -c 5000'] });
  expect(long.json()).toMatchObject({ exit_code: 0, stdout_truncated: true });
  expect(long.json().stdout.length).toBe(1000);
  const slow = await call('POST', exec(s.id), { command: ['sleep', '30'], timeout: 0.3 });
  expect(slow.json()).toMatchObject({ exit_code: 124, timed_out: true });
  expect((await call('GET', `/sandboxes/${s.id}`)).json().status).toBe('running');
  expect((await call('DELETE', `/sandboxes/${s.id}`)).statusCode).toBe(204);
  expect(driver.removed).toEqual([s.container]);
  expect((await call('GET', `/sandboxes/${s.id}`)).json()).toMatchObject({
    status: 'stopped',
    reason: 'stopped by a client',
  });
  const late = await call('POST', exec(s.id), { command: ['true'] });
  expect(late.statusCode).toBe(409);
  expect(late.json().error).toContain('start a new sandbox');
  expect((await call('GET', '/sandboxes/nope')).statusCode).toBe(404);
});

test('more commands at once than --max-execs-per-sandbox get 429; the others are answered', async () => {
  const { call, create } = await setup({ maxExecs: 2 });
  const s = await create();
  const replies = await Promise.all([0, 1, 2, 3].map(() => call('POST', exec(s.id), { command: ['sleep', '0.3'] })));
  expect(replies.map((r) => r.statusCode).sort()).toEqual([200, 200, 429, 429]);
  expect(replies.find((r) => r.statusCode === 429)?.json().error).toContain('retry when one has finished');
});

test('bodies: unknown fields, wrong types and malformed JSON are 400, oversized 413, other content types 415', async () => {
  const { call, create } = await setup();
  const s = await create();
  const bogus = await call('POST', exec(s.id), { command: ['true'], bogus: 1 });
  expect(bogus.statusCode).toBe(400);
  expect(bogus.json().error).toContain('bogus');
  expect((await call('POST', exec(s.id), { command: [] })).statusCode).toBe(400);
  expect((await call('POST', exec(s.id), { command: 'true' })).statusCode).toBe(400);
  expect((await call('POST', exec(s.id), { command: ['true'], timeout: 0 })).statusCode).toBe(400);
  expect((await call('POST', '/sandboxes', { env: { A: 'two\nlines' } })).statusCode).toBe(400);
  expect((await call('POST', '/sandboxes', { image: '--privileged' })).statusCode).toBe(400);
  expect((await call('POST', '/sandboxes', { workdir: 'relative' })).statusCode).toBe(400);
  expect((await call('POST', '/start', [1, 2, 3])).statusCode).toBe(400);
  const json = { 'x-api-key': KEY, 'content-type': 'application/json' };
  expect((await inject({ method: 'POST', url: exec(s.id), headers: json, payload: '{"command":' })).statusCode).toBe(
    400,
  );
  expect((await call('POST', exec(s.id), { command: ['true'], stdin: 'x'.repeat(5000) })).statusCode).toBe(413);
  // a large body of another type is refused before it is read, on every JSON route
  for (const type of ['application/octet-stream', 'text/plain', 'multipart/form-data; boundary=x']) {
    const r = await inject({
      method: 'POST',
      url: exec(s.id),
      headers: { 'x-api-key': KEY, 'content-type': type },
      payload: Buffer.alloc(2 << 20),
    });
    expect([413, 415]).toContain(r.statusCode);
  }
});

test('a body with thousands of bad fields gets a short answer', async () => {
  const { call } = await setup();
  const env = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`V${i}`, 'a\nb']));
  const r = await call('POST', '/sandboxes', { env });
  expect(r.statusCode).toBe(400);
  expect(r.rawPayload.length).toBeLessThan(1000);
  expect(r.json().error).toMatch(/and \d+ more/);
});

test('files go in and come out; missing 404, relative 400, over --max-download-bytes 413', async () => {
  const { call, create } = await setup();
  const s = await create();
  const put = (file: string, payload: Buffer) =>
    inject({
      method: 'PUT',
      url: `/sandboxes/${s.id}/files?path=${file}`,
      headers: { 'x-api-key': KEY, 'content-type': 'application/octet-stream' },
      payload,
    });
  expect((await put('/tmp/a.bin', Buffer.from([0, 1, 2, 255]))).statusCode).toBe(204);
  const got = await call('GET', `/sandboxes/${s.id}/files?path=/tmp/a.bin`);
  expect(got.statusCode).toBe(200);
  expect([...got.rawPayload]).toEqual([0, 1, 2, 255]);
  expect((await call('GET', `/sandboxes/${s.id}/files?path=/nope`)).statusCode).toBe(404);
  expect((await call('GET', `/sandboxes/${s.id}/files?path=rel`)).statusCode).toBe(400);
  expect((await put('/missing/x', Buffer.from('x'))).statusCode).toBe(404);
  expect((await put('/tmp/big', Buffer.alloc(9000))).statusCode).toBe(413);
  expect((await put('/tmp/200', Buffer.alloc(200))).statusCode).toBe(204);
  const tooBig = await call('GET', `/sandboxes/${s.id}/files?path=/tmp/200`);
  expect(tooBig.statusCode).toBe(413);
  expect(tooBig.json().error).toContain('--max-download-bytes');
});

test('a container that died shows as exited, frees its slot, and exec on it is 409', async () => {
  const { call, create, driver } = await setup({ maxParallel: 1, queueMs: 50 });
  const s = await create();
  expect((await call('POST', '/sandboxes', {})).statusCode).toBe(429);
  driver.kill(s.container);
  await new Promise((r) => setTimeout(r, 50));
  const r = await call('POST', exec(s.id), { command: ['true'], timeout: 0.2 });
  expect(r.statusCode).toBe(409);
  expect(r.json().error).toMatch(/exited/);
  expect((await call('GET', `/sandboxes/${s.id}`)).json()).toMatchObject({ status: 'exited', exit_code: 137 });
  expect((await call('POST', '/sandboxes', {})).statusCode).toBe(201);
});

test('the queue: a start waits for a freed slot, and gets 429 with Retry-After when none frees in time', async () => {
  const { call, create } = await setup({ maxParallel: 1, queueMs: 2_000 });
  const first = await create();
  const waiting = call('POST', '/sandboxes', {});
  await new Promise((r) => setTimeout(r, 50));
  expect((await call('GET', '/sandboxes')).json().slots).toEqual({ used: 1, waiting: 1, size: 1 });
  await call('DELETE', `/sandboxes/${first.id}`);
  expect((await waiting).statusCode).toBe(201);
  const { call: call2, create: create2 } = await setup({ maxParallel: 1, queueMs: 30 });
  await create2();
  const refused = await call2('POST', '/sandboxes', {});
  expect(refused.statusCode).toBe(429);
  expect(refused.headers['retry-after']).toBe('10');
});

test('a failed start frees its slot and says why', async () => {
  const { call } = await setup({ maxParallel: 1, queueMs: 30 });
  const r = await call('POST', '/sandboxes', { image: 'missing/image' });
  expect(r.statusCode).toBe(503);
  expect(r.json().error).toContain('image not known');
  expect((await call('POST', '/sandboxes', {})).statusCode).toBe(201);
});

test('a command whose client went away is killed', async () => {
  const { call, create, sandboxes } = await setup();
  const s = await create();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const controller = new AbortController();
  const gone = fetch(`http://127.0.0.1:${port}${exec(s.id)}`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ command: ['sleep', '30'] }),
    signal: controller.signal,
  }).catch(() => 'aborted');
  await new Promise((r) => setTimeout(r, 200));
  expect(sandboxes.get(s.id).busy).toBe(1);
  controller.abort();
  expect(await gone).toBe('aborted');
  for (let i = 0; i < 100 && sandboxes.get(s.id).busy > 0; i++) await new Promise((r) => setTimeout(r, 20));
  expect(sandboxes.get(s.id).busy).toBe(0);
  expect((await call('POST', exec(s.id), { command: ['true'] })).statusCode).toBe(200);
});

test('a session key opens its own sandbox only', async () => {
  const { call, create } = await setup();
  const a = await create();
  const b = await create();
  const own = { 'x-session-api-key': a.session_api_key, 'content-type': 'application/json' };
  expect((await call('POST', exec(a.id), { command: ['true'] }, own)).statusCode).toBe(200);
  expect((await call('POST', exec(b.id), { command: ['true'] }, own)).statusCode).toBe(401);
  expect((await call('GET', '/sandboxes', undefined, own)).statusCode).toBe(401);
});

const startBody = (extra: object = {}) => ({
  image: 'localhost/busybox',
  command: ['alive-server', '88888888'],
  working_dir: '/openhands/code/',
  environment: { DEBUG: 'true' },
  session_id: 'sess-1',
  resource_factor: 2,
  runtime_class: null,
  runtime_mounts: [],
  ...extra,
});

test('OpenHands /start: ports, placeholder, env, scaled limits, /alive wait, and the direct url', async () => {
  const { call, driver } = await setup();
  const started = await call('POST', '/start', startBody());
  expect(started.statusCode).toBe(200);
  const body = started.json();
  const spec = [...driver.containers.values()][0]!.spec;
  const port = Number(spec.command[1]);
  expect(port).toBeGreaterThanOrEqual(30000);
  expect(port).toBeLessThanOrEqual(39999);
  expect(body).toMatchObject({
    runtime_id: expect.any(String),
    url: `http://node7:${port}`,
    session_api_key: expect.any(String),
    pod_status: 'running',
  });
  expect(Object.values(body.work_hosts)).toHaveLength(2);
  expect(spec).toMatchObject({ workdir: '/openhands/code/', cpus: 4, memoryBytes: 2 * 2 ** 30 });
  expect(spec.env).toMatchObject({
    port: String(port),
    VSCODE_PORT: String(body.ports.vscode_port),
    DEBUG: 'true',
    SESSION_API_KEY: body.session_api_key,
  });
  expect((await fetch(`http://127.0.0.1:${port}/alive`)).status).toBe(200);
  expect((await call('GET', `/runtime/${body.runtime_id}`)).json()).toMatchObject({
    runtime_id: body.runtime_id,
    pod_status: 'running',
    restart_count: 0,
  });
  expect((await call('GET', '/runtime/unknown')).json()).toEqual({ runtime_id: 'unknown', pod_status: 'not found' });
  expect((await call('GET', '/sessions/sess-1')).json()).toMatchObject({
    runtime_id: body.runtime_id,
    status: 'running',
    url: body.url,
  });
  expect((await call('GET', '/sessions/other')).statusCode).toBe(404);
  expect((await call('GET', '/list')).json().runtimes.map((r: { runtime_id: string }) => r.runtime_id)).toEqual([
    body.runtime_id,
  ]);
  expect((await call('GET', '/registry_prefix')).json()).toEqual({ registry_prefix: 'localhost/test' });
  expect((await call('GET', '/image_exists?image=localhost/busybox')).json()).toEqual({
    exists: true,
    image: { upload_time: '2026-11-30T00:00:00Z', image_size_bytes: 1234 },
    url: 'http://node7:8000',
  });
  expect((await call('GET', '/image_exists?image=nope/x')).json()).toEqual({ exists: false, url: 'http://node7:8000' });
  expect((await call('POST', '/pause', { runtime_id: body.runtime_id })).json()).toEqual({ status: 'success' });
  expect((await call('GET', `/runtime/${body.runtime_id}`)).json().pod_status).toBe('paused');
  expect((await call('GET', '/sessions/sess-1')).json().status).toBe('paused');
  await expect(fetch(`http://127.0.0.1:${port}/alive`)).rejects.toThrow();
  expect((await call('POST', '/resume', { runtime_id: body.runtime_id })).json()).toEqual({ status: 'success' });
  expect((await fetch(`http://127.0.0.1:${port}/alive`)).status).toBe(200);
  expect((await call('POST', '/stop', { runtime_id: body.runtime_id })).json()).toEqual({ status: 'success' });
  expect((await call('GET', '/sessions/sess-1')).statusCode).toBe(404);
  expect((await call('POST', '/stop', { runtime_id: 'unknown' })).statusCode).toBe(404);
  expect((await call('POST', '/start', startBody({ unknown_field: 1 }))).statusCode).toBe(400);
  expect(
    (await call('POST', '/start', startBody({ runtime_mounts: [{ host_path: '/etc', container_path: '/x' }] })))
      .statusCode,
  ).toBe(400);
});

test("pod_status says 'ready' for upstream OpenHands clients when asked to", async () => {
  const { call } = await setup({ ready: 'ready' });
  const body = (await call('POST', '/start', startBody())).json();
  expect(body.pod_status).toBe('ready');
});

test('concurrent starts never share a port', async () => {
  const { call } = await setup({ maxParallel: 12 });
  const replies = await Promise.all(
    Array.from({ length: 12 }, (_, i) => call('POST', '/start', startBody({ session_id: `s${i}` }))),
  );
  expect(replies.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
  const ports = replies.flatMap((r) => [
    r.json().ports.container_port,
    r.json().ports.vscode_port,
    ...r.json().ports.app_ports,
  ]);
  expect(new Set(ports).size).toBe(48);
});

test('a sandbox whose server never comes up fails the start with its last output, and frees slot and ports', async () => {
  const { call, sandboxes } = await setup({ maxParallel: 1, queueMs: 50 });
  const r = await call('POST', '/start', startBody({ command: ['exit-at-once'] }));
  expect(r.statusCode).toBe(503);
  expect(r.json().error).toMatch(/exited before its server answered \/alive; its last output:\nlast words of/);
  expect(sandboxes.slots.used).toBe(0);
  expect((await call('POST', '/start', startBody())).statusCode).toBe(200);
});

test('a workspace mount must lie under --workspace-root', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ws-'));
  const { call, driver } = await setup({ workspaceRoot: root });
  const outside = await call(
    'POST',
    '/start',
    startBody({ workspace_mount_path: '/etc', workspace_mount_path_in_sandbox: '/workspace' }),
  );
  expect(outside.statusCode).toBe(403);
  const sneaky = await call(
    'POST',
    '/start',
    startBody({ workspace_mount_path: `${root}/../etc`, workspace_mount_path_in_sandbox: '/workspace' }),
  );
  expect(sneaky.statusCode).toBe(403);
  const inside = await call(
    'POST',
    '/start',
    startBody({ workspace_mount_path: `${root}/job1`, workspace_mount_path_in_sandbox: '/workspace' }),
  );
  expect(inside.statusCode).toBe(200);
  expect([...driver.containers.values()][0]?.spec.mounts).toEqual([{ host: `${root}/job1`, container: '/workspace' }]);
  fs.rmSync(root, { recursive: true });
});

test('/build takes a multipart context (base64 tar.gz) and /build_status follows it', async () => {
  const { driver } = await setup();
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'ctx-'));
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM localhost/busybox\n');
  const tgz = (await execa('tar', ['-cz', '-C', ctx, '.'], { encoding: 'buffer' })).stdout;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const form = new FormData();
  form.append('context', new Blob([Buffer.from(tgz).toString('base64')]), 'context.tar.gz');
  form.append('target_image', 'localhost/test/runtime:abc');
  form.append('tags', 'localhost/test/runtime:latest');
  const started = await fetch(`http://127.0.0.1:${port}/build`, {
    method: 'POST',
    headers: { 'x-api-key': KEY },
    body: form,
  });
  expect(started.status).toBe(200);
  const { build_id, url } = (await started.json()) as { build_id: string; url: string };
  expect(url).toBe('http://node7:8000');
  let status: { status: string } = { status: 'PENDING' };
  for (let i = 0; i < 100 && !['SUCCESS', 'FAILURE'].includes(status.status); i++) {
    await new Promise((r) => setTimeout(r, 20));
    status = (await (
      await fetch(`http://127.0.0.1:${port}/build_status?build_id=${build_id}`, { headers: { 'x-api-key': KEY } })
    ).json()) as { status: string };
  }
  expect(status).toMatchObject({ status: 'SUCCESS', image: 'localhost/test/runtime:abc' });
  expect(driver.builds[0]?.tags).toEqual(['localhost/test/runtime:abc', 'localhost/test/runtime:latest']);
  const junk = new FormData();
  junk.append('context', new Blob(['not an archive']), 'context.tar.gz');
  junk.append('target_image', 'x/y');
  expect(
    (await fetch(`http://127.0.0.1:${port}/build`, { method: 'POST', headers: { 'x-api-key': KEY }, body: junk }))
      .status,
  ).toBe(400);
  expect(
    (await fetch(`http://127.0.0.1:${port}/build_status?build_id=nope`, { headers: { 'x-api-key': KEY } })).status,
  ).toBe(404);
  fs.rmSync(ctx, { recursive: true });
});

test('idle sandboxes are reaped and shutdown removes all containers, naming those it could not', async () => {
  const { call, create, sandboxes, driver } = await setup();
  const a = await create();
  await create();
  await call('POST', exec(a.id), { command: ['true'] });
  expect(await sandboxes.reapIdle(60_000)).toEqual([]);
  expect((await sandboxes.reapIdle(0)).length).toBe(2);
  expect((await call('GET', `/sandboxes/${a.id}`)).json()).toMatchObject({ status: 'stopped', reason: 'idle for 0 s' });
  await create();
  const stuck = await create();
  driver.stuck.add(stuck.container);
  expect(await sandboxes.shutdown()).toEqual({
    removed: 1,
    left: [{ name: stuck.container, reason: 'given PID did not die within timeout' }],
  });
  expect([...driver.containers.keys()]).toEqual([stuck.container]);
  expect((await call('POST', '/sandboxes', {})).statusCode).toBe(503);
  driver.stuck.clear();
});
