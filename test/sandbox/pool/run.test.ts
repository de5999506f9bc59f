// `sandbox front` as the runtime job runs it, over two real worker servers (fake engine) that
// announce themselves in DIR/workers/<node>/: it waits for both, announces its own URL and ready
// flag, stops on training_complete.flag and then tells each worker to stop. Bad options stop it
// before anything is written.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { writeKey, announce } from '../../../src/sandbox/coordination.js';
import { Builds } from '../../../src/sandbox/builds.js';
import { CliError } from '../../../src/errors.js';
import { Pool } from '../../../src/sandbox/pool.js';
import { runFront, type FrontRunOptions } from '../../../src/sandbox/pool/run.js';
import { Sandboxes } from '../../../src/sandbox/sandboxes.js';
import { buildServer } from '../../../src/sandbox/server.js';
import { FakeDriver } from '../fake-driver.js';

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'pool-run-test-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
};

const options = (o: Partial<FrontRunOptions>): FrontRunOptions => ({
  host: '127.0.0.1',
  port: 0,
  workersTimeout: 20,
  workerUrls: [],
  maxBodyBytes: 1 << 20,
  pollInterval: 0.2,
  logLevel: 'error',
  ...o,
});

// A worker server announced in DIR/NODE as `sandbox serve --coordination-dir` would.
async function worker(dir: string, node: string) {
  const driver = new FakeDriver();
  const workDir = tmp();
  const sandboxes = new Sandboxes(driver, new Pool(2, 1000), {
    prefix: `slurm-oci-sandbox-${node}`,
    defaultImage: 'localhost/busybox',
    defaultTimeoutMs: 5000,
    maxOutputBytes: 1000,
    maxExecsPerSandbox: 4,
    workDir,
    hostNetwork: true,
    publicHost: node,
    startTimeoutMs: 3000,
  });
  const key = `${node}-key-0123456789abcdef`;
  const app = buildServer({
    sandboxes,
    builds: new Builds(driver, workDir),
    apiKey: key,
    maxBodyBytes: 4096,
    maxUploadBytes: 4096,
    maxDownloadBytes: 4096,
    logStream: { write: () => {} },
    readyStatus: 'running',
    registryPrefix: 'x',
    publicUrl: () => '',
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  cleanups.push(async () => {
    await app.close();
    await sandboxes.shutdown();
  });
  const own = path.join(dir, node);
  fs.mkdirSync(own, { recursive: true, mode: 0o700 });
  writeKey(own, key);
  announce(own, `http://127.0.0.1:${(app.server.address() as { port: number }).port}`);
}

test('waits for every worker, announces itself, and on training_complete.flag tells the workers to stop', async () => {
  const dir = tmp();
  const workers = path.join(dir, 'workers');
  const coordination = path.join(dir, 'front');
  await worker(workers, 'n1');
  const running = runFront(options({ workersDir: workers, expectWorkers: 2, coordinationDir: coordination }));
  await new Promise((r) => setTimeout(r, 500));
  expect(fs.existsSync(path.join(coordination, 'runtime_ready.flag'))).toBe(false); // one of two
  await worker(workers, 'n2');
  for (let i = 0; i < 100 && !fs.existsSync(path.join(coordination, 'runtime_ready.flag')); i++)
    await new Promise((r) => setTimeout(r, 100));
  const url = fs.readFileSync(path.join(coordination, 'runtime_url.txt'), 'utf8').trim();
  const key = fs.readFileSync(path.join(coordination, 'runtime_api_key.txt'), 'utf8').trim();
  expect(fs.statSync(path.join(coordination, 'runtime_api_key.txt')).mode & 0o777).toBe(0o600);
  const health = (await (await fetch(`${url}/health`)).json()) as { workers: { node: string; up: boolean }[] };
  expect(health.workers.map((w) => [w.node, w.up])).toEqual([
    ['n1', true],
    ['n2', true],
  ]);
  const made = await fetch(`${url}/sandboxes`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(made.status).toBe(201);
  fs.writeFileSync(path.join(coordination, 'training_complete.flag'), '0\n');
  await running;
  for (const node of ['n1', 'n2']) expect(fs.existsSync(path.join(workers, node, 'training_complete.flag'))).toBe(true);
}, 30_000);

test('too few workers in time: a clear error, and the workers that came are told to stop', async () => {
  const dir = tmp();
  const workers = path.join(dir, 'workers');
  await worker(workers, 'n1');
  const error = await runFront(
    options({ workersDir: workers, expectWorkers: 3, workersTimeout: 0.5, apiKeyFile: path.join(dir, 'key') }),
  ).catch((e) => e);
  expect(error).toBeInstanceOf(CliError);
  expect(error.message).toBe('only 1 of 3 sandbox workers became ready in 0.5 s (ready: n1)');
  expect(fs.existsSync(path.join(workers, 'n1', 'training_complete.flag'))).toBe(true);
}, 30_000);

test.each([
  [{}, /give either --workers-dir DIR or --worker URL/],
  [{ workersDir: '/x', workerUrls: ['http://n1:1'] }, /give either --workers-dir DIR or --worker URL/],
  [{ workersDir: '/x' }, /--workers-dir needs --expect-workers N/],
  [{ workerUrls: ['http://n1:1'] }, /--worker needs --worker-key-file/],
  [{ workerUrls: ['n1:8001'], workerKeyFile: '/k' }, /--worker n1:8001 is not a URL like http:\/\/HOST:PORT/],
  [{ workerUrls: ['http://n1:1'], workerKeyFile: '/k', apiKeyFile: undefined }, /no place for the API key/],
])('bad options %j: one line, exit 2, nothing written', async (o, message) => {
  const error = await runFront(options({ apiKeyFile: '/nonexistent/dir/key', ...o })).catch((e) => e);
  expect(error).toBeInstanceOf(CliError);
  expect(error.exitCode).toBe(2);
  expect(error.message).toMatch(message);
  expect(error.message).not.toContain('\n');
});
