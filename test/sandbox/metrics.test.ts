// GET /metrics of a worker server (fake engine, real HTTP): sandboxes by state and node, queue,
// start and exec latency, errors by kind, no key needed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { Builds } from '../../src/sandbox/builds.js';
import { workerMetrics } from '../../src/sandbox/metrics.js';
import { Pool } from '../../src/sandbox/pool.js';
import { Sandboxes } from '../../src/sandbox/sandboxes.js';
import { buildServer } from '../../src/sandbox/server.js';
import { FakeDriver } from './fake-driver.js';

const KEY = 'metrics-key-0123456789abcdef';
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'metrics-test-'));
const driver = new FakeDriver();
const sandboxes = new Sandboxes(driver, new Pool(3, 1000), {
  prefix: 'slurm-oci-sandbox-m',
  defaultImage: 'localhost/busybox',
  defaultTimeoutMs: 5000,
  maxOutputBytes: 1000,
  maxExecsPerSandbox: 4,
  workDir,
  hostNetwork: true,
  publicHost: 'n7',
  startTimeoutMs: 3000,
});
const metrics = workerMetrics('n7', sandboxes);
const app = buildServer({
  sandboxes,
  builds: new Builds(driver, workDir),
  apiKey: KEY,
  maxBodyBytes: 4096,
  maxUploadBytes: 4096,
  maxDownloadBytes: 4096,
  logStream: { write: () => {} },
  readyStatus: 'running',
  registryPrefix: 'localhost/test',
  publicUrl: () => 'http://n7:8000',
  metrics,
});

afterAll(async () => {
  await sandboxes.shutdown();
  await app.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

test('counts what the requests did', async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const a = app.server.address();
  const base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  const call = (method: string, url: string, body?: object) =>
    fetch(`${base}${url}`, {
      method,
      headers: { 'x-api-key': KEY, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) ids.push(((await (await call('POST', '/sandboxes', {})).json()) as { id: string }).id);
  expect((await call('POST', `/sandboxes/${ids[0]}/exec`, { command: ['true'] })).status).toBe(200);
  expect((await call('DELETE', `/sandboxes/${ids[1]}`)).status).toBe(204);
  expect((await call('POST', `/sandboxes/${ids[1]}/exec`, { command: ['true'] })).status).toBe(409);
  expect((await call('GET', '/sandboxes/nope')).status).toBe(404);
  const r = await fetch(`${base}/metrics`);
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await r.text();
  for (const line of [
    'slurm_oci_sandboxes{node="n7",state="running"} 1',
    'slurm_oci_sandboxes{node="n7",state="stopped"} 1',
    'slurm_oci_sandbox_queue_length{node="n7"} 0',
    'slurm_oci_sandbox_slots{node="n7"} 3',
    'slurm_oci_sandbox_start_seconds_count{node="n7",outcome="ok"} 2',
    'slurm_oci_sandbox_exec_seconds_count{node="n7"} 1',
    'slurm_oci_sandbox_errors_total{kind="not_running"} 1',
    'slurm_oci_sandbox_errors_total{kind="not_found"} 1',
  ]) {
    expect(text).toContain(line);
  }
});
