// The pool front over three real worker servers (buildServer) on loopback ports, each with the
// fake container engine (no Podman on the unit-test machine; the e2e test/e2e/pool.test.ts runs
// real workers on three Slurm nodes): placement, merged views, proxying, a worker's death, metrics.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, jest, test } from '@jest/globals';
import type { FastifyInstance } from 'fastify';
import { Builds } from '../../../src/sandbox/builds.js';
import { Pool } from '../../../src/sandbox/pool.js';
import { buildFront, Front } from '../../../src/sandbox/pool/front.js';
import { Worker } from '../../../src/sandbox/pool/workers.js';
import { Sandboxes } from '../../../src/sandbox/sandboxes.js';
import { buildServer } from '../../../src/sandbox/server.js';
import { FakeDriver } from '../fake-driver.js';

const FRONT_KEY = 'front-key-0123456789abcdef';
const WORKER_KEY = 'worker-key-0123456789abcdef';
const silent = { write: () => {} };
const cleanups: (() => Promise<unknown>)[] = [];
// Three servers and a front per test: more than jest's 5 s on a loaded 2-core machine.
jest.setTimeout(30_000);

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const portOf = (app: FastifyInstance) => {
  const a = app.server.address();
  return typeof a === 'object' && a ? a.port : 0;
};

// A worker server: node NODE, SLOTS slots, the fake engine.
async function worker(node: string, slots: number) {
  const driver = new FakeDriver();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-front-test-'));
  const sandboxes = new Sandboxes(driver, new Pool(slots, 2_000), {
    prefix: `slurm-oci-sandbox-${node}`,
    defaultImage: 'localhost/busybox',
    defaultTimeoutMs: 5_000,
    maxOutputBytes: 1000,
    maxExecsPerSandbox: 8,
    workDir,
    hostNetwork: true,
    publicHost: node,
    startTimeoutMs: 3000,
  });
  const app = buildServer({
    sandboxes,
    builds: new Builds(driver, workDir),
    apiKey: WORKER_KEY,
    maxBodyBytes: 4096,
    maxUploadBytes: 8192,
    maxDownloadBytes: 1000,
    logStream: silent,
    readyStatus: 'running',
    registryPrefix: 'localhost/test',
    publicUrl: () => `http://${node}:8001`,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  let closed = false;
  const kill = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await sandboxes.shutdown();
  };
  cleanups.push(async () => {
    await kill();
    fs.rmSync(workDir, { recursive: true, force: true });
  });
  return { node, driver, sandboxes, url: `http://127.0.0.1:${portOf(app)}`, kill };
}

// A front over workers n1..nN with the given slots.
async function pool(slots: number[]) {
  const workers = await Promise.all(slots.map((n, i) => worker(`n${i + 1}`, n)));
  const front = new Front({
    workers: workers.map((w) => new Worker(w.node, w.url, WORKER_KEY)),
    apiKey: FRONT_KEY,
    maxBodyBytes: 1 << 20,
    publicUrl: () => 'http://front:8000',
    node: 'n1',
    logStream: silent,
  });
  const app = buildFront(front);
  await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(async () => {
    await app.close();
    await Promise.all(front.workers.map((w) => w.close()));
  });
  await front.poll();
  const base = `http://127.0.0.1:${portOf(app)}`;
  const call = async (
    method: string,
    url: string,
    body?: unknown,
    headers: Record<string, string> = { 'x-api-key': FRONT_KEY },
  ) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: r.status, json, text };
  };
  return { workers, front, call };
}

const startBody = (session: string, image = 'localhost/busybox') => ({
  image,
  command: ['alive-server', '88888888'],
  session_id: session,
});

test('starts spread over the workers by free slots; the answer is the worker node url; views are whole', async () => {
  const { workers, front, call } = await pool([2, 2, 1]);
  const started = [];
  for (let i = 0; i < 5; i++) {
    const r = await call('POST', '/start', startBody(`s${i}`));
    expect(r.status).toBe(200);
    started.push(r.json);
  }
  // 2+2+1 slots, five starts: every slot used, each sandbox on the node its url names
  expect(started.map((s) => s.node).sort()).toEqual(['n1', 'n1', 'n2', 'n2', 'n3']);
  for (const s of started) expect(s.url).toMatch(new RegExp(`^http://${s.node}:\\d+$`));
  for (const w of workers) expect(w.sandboxes.list()).toHaveLength(w.node === 'n3' ? 1 : 2);

  const list = await call('GET', '/list');
  expect(list.json.runtimes.map((r: any) => r.runtime_id).sort()).toEqual(started.map((s) => s.runtime_id).sort());
  const one = started[3];
  expect((await call('GET', `/runtime/${one.runtime_id}`)).json).toMatchObject({
    runtime_id: one.runtime_id,
    pod_status: 'running',
    node: one.node,
  });
  expect((await call('GET', `/sessions/s3`)).json).toMatchObject({ runtime_id: one.runtime_id, status: 'running' });
  expect((await call('GET', '/runtime/nope')).json).toEqual({ runtime_id: 'nope', pod_status: 'not found' });
  expect((await call('POST', '/stop', { runtime_id: one.runtime_id })).status).toBe(200);
  expect((await call('GET', `/runtime/${one.runtime_id}`)).json).toMatchObject({ status: 'stopped' });
  expect((await call('POST', '/stop', { runtime_id: 'nope' })).status).toBe(404);
  expect((await call('GET', '/image_exists?image=localhost/busybox')).json).toEqual({
    exists: true,
    nodes: ['n1', 'n2', 'n3'],
    url: 'http://front:8000',
  });
  expect((await call('GET', '/image_exists?image=other/image')).json).toMatchObject({ exists: false });
  await front.poll();
  const health = await call('GET', '/health', undefined, {});
  expect(health.json.workers).toEqual([
    expect.objectContaining({ node: 'n1', up: true, slots: 2, used: 2 }),
    expect.objectContaining({ node: 'n2', up: true, slots: 2, used: 1 }),
    expect.objectContaining({ node: 'n3', up: true, slots: 1, used: 1 }),
  ]);
});

test('the simple API through the front: create, exec, delete on the owning worker; keys checked by the front', async () => {
  const { workers, call } = await pool([1, 1]);
  const a = await call('POST', '/sandboxes', {});
  const b = await call('POST', '/sandboxes', {});
  expect([a.status, b.status]).toEqual([201, 201]);
  expect([a.json.node, b.json.node].sort()).toEqual(['n1', 'n2']);
  const ex = await call('POST', `/sandboxes/${a.json.id}/exec`, { command: ['sh', '-c', 'echo hi; exit 3'] });
  expect(ex.json).toMatchObject({ exit_code: 3, stdout: 'hi\n' });
  // the sandbox's own session key works for its own routes only, and never reaches the worker as such
  const own = { 'x-session-api-key': a.json.session_api_key };
  expect((await call('GET', `/sandboxes/${a.json.id}`, undefined, own)).json).toMatchObject({
    id: a.json.id,
    status: 'running',
  });
  expect((await call('GET', `/sandboxes/${b.json.id}`, undefined, own)).status).toBe(401);
  expect((await call('GET', '/sandboxes', undefined, {})).status).toBe(401);
  expect((await call('GET', '/metrics', undefined, {})).status).toBe(200);
  const merged = await call('GET', '/sandboxes');
  expect(merged.json.slots).toEqual({ size: 2, used: 2, waiting: 0 });
  expect(merged.json.sandboxes.map((s: any) => s.node).sort()).toEqual(['n1', 'n2']);
  expect((await call('DELETE', `/sandboxes/${b.json.id}`)).status).toBe(204);
  const owner = workers.find((w) => w.node === b.json.node)!;
  expect(owner.sandboxes.find(b.json.id)?.status).toBe('stopped');
  expect((await call('POST', '/build', {})).status).toBe(501);
});

test("a worker's death fails only its sandboxes; new starts go to the others; metrics count it", async () => {
  const { workers, front, call } = await pool([2, 2, 2]);
  const started = [];
  for (let i = 0; i < 3; i++) started.push((await call('POST', '/start', startBody(`d${i}`))).json);
  expect(started.map((s) => s.node).sort()).toEqual(['n1', 'n2', 'n3']);
  const victim = started.find((s) => s.node === 'n2');
  // two more (ties go to the first: n1, then n2), both stopped; the one on n2 is not lost with it
  const extra = [(await call('POST', '/sandboxes', {})).json, (await call('POST', '/sandboxes', {})).json];
  expect(extra.map((x) => x.node)).toEqual(['n1', 'n2']);
  for (const x of extra) expect((await call('DELETE', `/sandboxes/${x.id}`)).status).toBe(204);
  const done = extra[1];
  await workers[1]!.kill();
  expect((await front.poll()).map((w) => w.node)).toEqual(['n2']);

  expect((await call('GET', `/runtime/${victim.runtime_id}`)).json).toMatchObject({
    pod_status: 'failed',
    reason: expect.stringMatching(/worker on n2 died/),
  });
  expect((await call('GET', `/sessions/${victim.session_id}`)).json).toMatchObject({
    pod_status: 'failed',
    status: 'stopped',
  });
  expect((await call('POST', '/resume', { runtime_id: victim.runtime_id })).status).toBe(409);
  expect((await call('GET', `/sandboxes/${done.id}`)).json).toMatchObject({
    status: 'stopped',
    reason: 'stopped by a client',
  });
  expect((await call('POST', '/stop', { runtime_id: victim.runtime_id })).status).toBe(200);
  // the others are untouched
  for (const s of started.filter((x) => x !== victim)) {
    expect((await call('GET', `/runtime/${s.runtime_id}`)).json).toMatchObject({ pod_status: 'running' });
  }
  expect((await call('GET', '/list')).json.runtimes).toHaveLength(2);
  // two more starts (the free slots left): none on n2
  for (let i = 0; i < 2; i++) {
    const r = await call('POST', '/start', startBody(`e${i}`));
    expect(r.status).toBe(200);
    expect(r.json.node).not.toBe('n2');
  }
  const metrics = (await call('GET', '/metrics', undefined, {})).text;
  expect(metrics).toContain('slurm_oci_pool_worker_up{node="n2"} 0');
  expect(metrics).toContain('slurm_oci_sandboxes{node="n2",state="failed"} 1');
  expect(metrics).toMatch(/slurm_oci_sandbox_start_seconds_count\{node="n1",outcome="ok"\} 7/);
  expect(metrics).toContain('slurm_oci_sandbox_errors_total{kind="not_running"} 1');
  const health = (await call('GET', '/health', undefined, {})).json;
  expect(health.workers[1]).toMatchObject({
    node: 'n2',
    up: false,
    reason: expect.stringMatching(/stopped answering/),
  });
});

test('a start held by a hung worker ends in a 502 once the poller finds it dead, not never', async () => {
  // a worker that takes connections and never answers (a stopped process, a wedged event loop)
  const held: net.Socket[] = [];
  const hung = net.createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const s of held) s.destroy();
    await new Promise((resolve) => hung.close(resolve));
  });
  const { front, call } = await pool([1]);
  const w = new Worker('n9', `http://127.0.0.1:${(hung.address() as net.AddressInfo).port}`, WORKER_KEY);
  w.figures = { size: 4, used: 0, waiting: 0, states: [], containers: [] };
  front.workers.splice(0, front.workers.length, w);
  front.images.set('localhost/busybox', new Map([['n9', true]])); // straight to /start
  cleanups.push(() => w.close());
  const started = call('POST', '/start', startBody('held'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await front.poll(100, 1);
  const r = await started;
  expect(r.status).toBe(502);
  expect(r.json.error).toMatch(/worker on n9 died \(it stopped answering/);
  expect(w.inflight).toBe(0);
});

test('a start while the chosen worker dies is a 502 naming the node, and the worker is out', async () => {
  const { workers, front, call } = await pool([1]);
  await workers[0]!.kill();
  const r = await call('POST', '/start', startBody('x'));
  expect(r.status).toBe(502);
  expect(r.json.error).toMatch(/worker on n1 died/);
  expect(front.live).toHaveLength(0);
  const again = await call('POST', '/start', startBody('y'));
  expect(again.status).toBe(503);
  expect(again.json.error).toMatch(/no sandbox worker is alive/);
});
