// The HTTP API on a loopback port (Fastify's inject cannot load under jest's ESM mode), over the
// fake driver (no Podman on the unit-test machine): auth, body rules, status codes, the queue, the
// OpenHands aliases and reaping.
import { Writable } from 'node:stream';
import { afterEach, expect, test } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
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
  const res = await fetch(`http://127.0.0.1:${port}${r.url}`, { method: r.method, headers, ...(body === undefined ? {} : { body: body as BodyInit }) });
  const raw = Buffer.from(await res.arrayBuffer());
  return { statusCode: res.status, headers: Object.fromEntries(res.headers), rawPayload: raw, json: () => JSON.parse(raw.toString()) };
}

async function setup(o: { maxParallel?: number; queueMs?: number } = {}) {
  const driver = new FakeDriver();
  const sandboxes = new Sandboxes(driver, new Pool(o.maxParallel ?? 4, o.queueMs ?? 60_000), {
    prefix: 'slurm-oci-sandbox-test',
    defaultImage: 'localhost/busybox',
    defaultTimeoutMs: 5_000,
  });
  let log = '';
  const logStream = new Writable({
    write(chunk, _enc, done) {
      log += String(chunk);
      done();
    },
  });
  await app?.close();
  app = buildServer({ sandboxes, apiKey: KEY, maxBodyBytes: 4096, maxUploadBytes: 8192, logStream, logLevel: 'info' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = { 'x-api-key': KEY }) =>
    inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  const create = async (body: object = {}) => {
    const r = await call('POST', '/sandboxes', body);
    expect(r.statusCode).toBe(201);
    return r.json() as { id: string; container: string; session_api_key: string };
  };
  return { driver, sandboxes, call, create, log: () => log };
}

afterEach(async () => app?.close());

test('/health needs no key; everything else answers 401 without the key or with a wrong one, and the log never holds a key', async () => {
  const { call, log } = await setup();
  expect((await call('GET', '/health', undefined, {})).statusCode).toBe(200);
  expect((await call('GET', '/sandboxes', undefined, {})).statusCode).toBe(401);
  const wrong = await call('POST', '/sandboxes', {}, { 'x-api-key': 'guess-guess-guess-guess' });
  expect(wrong.statusCode).toBe(401);
  expect(wrong.json()).toEqual({ error: expect.stringContaining('X-API-Key') });
  expect((await call('GET', '/no/such/route', undefined, {})).statusCode).toBe(401);
  expect((await call('GET', '/sandboxes')).statusCode).toBe(200);
  expect(log()).toContain('rejected a request with no key');
  expect(log()).toContain('rejected a request with a wrong key');
  expect(log()).not.toContain('guess-guess');
  expect(log()).not.toContain(KEY);
});

test('a sandbox starts with the default image, runs commands with their exit codes, and is deleted', async () => {
  const { call, create, driver } = await setup();
  const s = await create({ env: { A: 'b c' }, workdir: '/work' });
  expect(s.container).toBe(`slurm-oci-sandbox-test-${s.id}`);
  expect(driver.containers.get(s.container)?.spec).toEqual({ image: 'localhost/busybox', env: { A: 'b c' }, workdir: '/work' });
  const ok = await call('POST', `/sandboxes/${s.id}/exec`, { command: ['echo', 'hi'], timeout: 2, stdin: 'x' });
  expect(ok.statusCode).toBe(200);
  expect(ok.json().exit_code).toBe(0);
  expect(JSON.parse(ok.json().stdout)).toEqual({ command: ['echo', 'hi'], stdin: 'x', timeoutMs: 2000 });
  const defaults = await call('POST', `/sandboxes/${s.id}/exec`, { command: ['false'] });
  expect(defaults.json().exit_code).toBe(1);
  expect(JSON.parse(defaults.json().stdout).timeoutMs).toBe(5000);
  expect((await call('GET', `/sandboxes/${s.id}`)).json().status).toBe('running');
  expect((await call('DELETE', `/sandboxes/${s.id}`)).statusCode).toBe(204);
  expect(driver.removed).toEqual([s.container]);
  expect((await call('GET', `/sandboxes/${s.id}`)).json()).toMatchObject({ status: 'stopped', reason: 'stopped by a client' });
  const late = await call('POST', `/sandboxes/${s.id}/exec`, { command: ['true'] });
  expect(late.statusCode).toBe(409);
  expect(late.json().error).toContain('start a new sandbox');
  expect((await call('GET', '/sandboxes/nope')).statusCode).toBe(404);
});

test('bodies: unknown fields, wrong types and malformed JSON are 400, oversized 413', async () => {
  const { call, create } = await setup();
  const s = await create();
  const exec = `/sandboxes/${s.id}/exec`;
  const bogus = await call('POST', exec, { command: ['true'], bogus: 1 });
  expect(bogus.statusCode).toBe(400);
  expect(bogus.json().error).toContain('bogus');
  expect((await call('POST', exec, { command: [] })).statusCode).toBe(400);
  expect((await call('POST', exec, { command: 'true' })).statusCode).toBe(400);
  expect((await call('POST', exec, { command: ['true'], timeout: 0 })).statusCode).toBe(400);
  expect((await call('POST', '/sandboxes', { env: { A: 'two\nlines' } })).statusCode).toBe(400);
  expect((await call('POST', '/sandboxes', { image: '--privileged' })).statusCode).toBe(400);
  expect((await call('POST', '/sandboxes', { workdir: 'relative' })).statusCode).toBe(400);
  const malformed = await inject({
    method: 'POST',
    url: exec,
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    payload: '{"command":',
  });
  expect(malformed.statusCode).toBe(400);
  expect((await call('POST', exec, { command: ['true'], stdin: 'x'.repeat(5000) })).statusCode).toBe(413);
});

test('files go in and come out; a missing file is 404 and a relative path 400', async () => {
  const { call, create } = await setup();
  const s = await create();
  const put = await inject({
    method: 'PUT',
    url: `/sandboxes/${s.id}/files?path=/tmp/a.bin`,
    headers: { 'x-api-key': KEY, 'content-type': 'application/octet-stream' },
    payload: Buffer.from([0, 1, 2, 255]),
  });
  expect(put.statusCode).toBe(204);
  const got = await call('GET', `/sandboxes/${s.id}/files?path=/tmp/a.bin`);
  expect(got.statusCode).toBe(200);
  expect([...got.rawPayload]).toEqual([0, 1, 2, 255]);
  expect((await call('GET', `/sandboxes/${s.id}/files?path=/nope`)).statusCode).toBe(404);
  expect((await call('GET', `/sandboxes/${s.id}/files?path=rel`)).statusCode).toBe(400);
  const big = await inject({
    method: 'PUT',
    url: `/sandboxes/${s.id}/files?path=/tmp/big`,
    headers: { 'x-api-key': KEY, 'content-type': 'application/octet-stream' },
    payload: Buffer.alloc(9000),
  });
  expect(big.statusCode).toBe(413);
});

test('a container that died shows as exited, frees its slot, and exec on it is 409', async () => {
  const { call, create, driver } = await setup({ maxParallel: 1, queueMs: 50 });
  const s = await create();
  expect((await call('POST', '/sandboxes', {})).statusCode).toBe(429);
  driver.kill(s.container);
  const exec = await call('POST', `/sandboxes/${s.id}/exec`, { command: ['true'] });
  expect(exec.statusCode).toBe(409);
  expect(exec.json().error).toMatch(/exited/);
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
  expect(r.statusCode).toBe(500);
  expect(r.json().error).toContain('image not known');
  expect((await call('POST', '/sandboxes', {})).statusCode).toBe(201);
});

test('a command whose client went away is stopped', async () => {
  const { create, driver } = await setup();
  const s = await create();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const controller = new AbortController();
  const gone = fetch(`http://127.0.0.1:${port}/sandboxes/${s.id}/exec`, {
    method: 'POST',
    headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ command: ['hang'] }),
    signal: controller.signal,
  }).catch(() => 'aborted');
  await new Promise((r) => setTimeout(r, 100));
  controller.abort();
  expect(await gone).toBe('aborted');
  for (let i = 0; i < 50 && driver.aborted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(driver.aborted).toEqual([s.container]);
});

test('a session key opens its own sandbox only', async () => {
  const { call, create } = await setup();
  const a = await create();
  const b = await create();
  const own = { 'x-session-api-key': a.session_api_key, 'content-type': 'application/json' };
  expect((await call('POST', `/sandboxes/${a.id}/exec`, { command: ['true'] }, own)).statusCode).toBe(200);
  expect((await call('POST', `/sandboxes/${b.id}/exec`, { command: ['true'] }, own)).statusCode).toBe(401);
  expect((await call('GET', '/sandboxes', undefined, own)).statusCode).toBe(401);
});

test('OpenHands aliases: /start, /runtime/{id}, /sessions/{sid}, /image_exists, /stop', async () => {
  const { call, driver } = await setup();
  const started = await call('POST', '/start', {
    image: 'localhost/busybox',
    command: 'sleep infinity',
    working_dir: '/openhands/code/',
    environment: { DEBUG: 'true' },
    session_id: 'sess-1',
    resource_factor: 1,
    runtime_class: 'sysbox-runc',
  });
  expect(started.statusCode).toBe(201);
  const body = started.json();
  expect(body).toMatchObject({ session_id: 'sess-1', pod_status: 'ready', status: 'running', url: expect.stringMatching(/\/sandboxes\/[0-9a-f]{12}$/) });
  expect(typeof body.session_api_key).toBe('string');
  expect([...driver.containers.values()][0]?.spec).toMatchObject({ command: ['/bin/sh', '-c', 'sleep infinity'], workdir: '/openhands/code/' });
  expect((await call('GET', `/runtime/${body.runtime_id}`)).json()).toMatchObject({ runtime_id: body.runtime_id, pod_status: 'ready', restart_count: 0 });
  expect((await call('GET', '/sessions/sess-1')).json()).toMatchObject({ runtime_id: body.runtime_id, status: 'running' });
  expect((await call('GET', '/sessions/other')).statusCode).toBe(404);
  expect((await call('GET', '/image_exists?image=localhost/busybox')).json()).toEqual({ exists: true });
  expect((await call('GET', '/image_exists?image=nope/x')).json()).toEqual({ exists: false });
  expect((await call('POST', '/stop', { runtime_id: body.runtime_id })).statusCode).toBe(200);
  expect((await call('GET', `/runtime/${body.runtime_id}`)).json().pod_status).toBe('stopped');
  expect((await call('POST', '/start', { image: 'localhost/busybox', unknown_field: 1 })).statusCode).toBe(400);
});

test('idle sandboxes are reaped and shutdown removes all containers', async () => {
  const { call, create, sandboxes, driver } = await setup();
  const a = await create();
  await create();
  await call('POST', `/sandboxes/${a.id}/exec`, { command: ['true'] });
  expect(await sandboxes.reapIdle(60_000)).toEqual([]);
  expect((await sandboxes.reapIdle(0)).length).toBe(2);
  expect((await call('GET', `/sandboxes/${a.id}`)).json()).toMatchObject({ status: 'stopped', reason: 'idle for 0 s' });
  await create();
  expect(await sandboxes.shutdown()).toBe(1);
  expect(driver.containers.size).toBe(0);
  expect((await call('POST', '/sandboxes', {})).statusCode).toBe(503);
});
