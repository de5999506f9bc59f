// The coordination contract of `sandbox serve` end to end in one process: files written (key 0600,
// ready flag only once a probe sandbox answered), and a clean return on training_complete.flag or
// SIGTERM; a failed probe or a leftover container is a non-zero end with no ready flag. The fake
// driver stands in for Podman (none on the unit-test machine); its agent sandboxes run the real
// agent script, so the probe really runs a command.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { CliError } from '../../src/errors.js';
import { serve, type ServeOptions } from '../../src/sandbox/serve.js';
import { FakeDriver } from './fake-driver.js';

const options = (extra: Partial<ServeOptions>): ServeOptions => ({
  host: '127.0.0.1',
  port: 0,
  image: 'localhost/busybox',
  maxParallel: 2,
  idleTimeout: 0,
  queueTimeout: 5,
  execTimeout: 10,
  startTimeout: 10,
  maxOutputBytes: 1024,
  maxBodyBytes: 4096,
  maxUploadBytes: 4096,
  maxDownloadBytes: 4096,
  maxExecsPerSandbox: 4,
  network: 'host',
  readyStatus: 'running',
  registryPrefix: 'localhost/x',
  runtime: 'default',
  logLevel: 'error',
  ...extra,
});

let driver: FakeDriver;
const serveFake = (o: ServeOptions) => {
  driver = new FakeDriver();
  return serve(o, () => driver);
};

const waitFor = async (file: string) => {
  for (let i = 0; i < 200 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 25));
  expect(fs.existsSync(file)).toBe(true);
};

test('writes URL and key, then the ready flag, serves, and returns when training_complete.flag appears', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'serve-')), 'coord');
  const running = serveFake(options({ coordinationDir: dir }));
  await waitFor(path.join(dir, 'runtime_ready.flag'));
  const url = fs.readFileSync(path.join(dir, 'runtime_url.txt'), 'utf8').trim();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const keyFile = path.join(dir, 'runtime_api_key.txt');
  expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
  const key = fs.readFileSync(keyFile, 'utf8').trim();
  expect((await fetch(`${url}/health`)).status).toBe(200);
  expect((await fetch(`${url}/sandboxes`)).status).toBe(401);
  expect((await fetch(`${url}/sandboxes`, { headers: { 'x-api-key': key } })).status).toBe(200);
  fs.writeFileSync(path.join(dir, 'training_complete.flag'), '');
  await expect(running).resolves.toBeUndefined();
  await expect(fetch(`${url}/health`)).rejects.toThrow();
});

test('uses the key of --api-key-file and stops on SIGTERM', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-'));
  const keyFile = path.join(root, 'key');
  fs.writeFileSync(keyFile, 'a-key-of-the-users-own-choice\n', { mode: 0o600 });
  const dir = path.join(root, 'coord');
  const running = serveFake(options({ coordinationDir: dir, apiKeyFile: keyFile }));
  await waitFor(path.join(dir, 'runtime_ready.flag'));
  expect(fs.readFileSync(path.join(dir, 'runtime_api_key.txt'), 'utf8')).toBe('a-key-of-the-users-own-choice\n');
  process.emit('SIGTERM');
  await expect(running).resolves.toBeUndefined();
  expect(process.listenerCount('SIGTERM')).toBe(0);
});

test('refuses to start without a place for the key, or with bad limits', async () => {
  await expect(serveFake(options({}))).rejects.toThrow(CliError);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-'));
  await expect(serveFake(options({ coordinationDir: dir, memoryPerWorker: '16 GB' }))).rejects.toThrow(/not a size/);
  await expect(serveFake(options({ coordinationDir: dir, maxParallel: 0 }))).rejects.toThrow(/max-parallel/);
  await expect(serveFake(options({ coordinationDir: dir, backend: 'runc', runtime: '/usr/bin/crun' }))).rejects.toThrow(
    /--backend/,
  );
  expect(fs.readdirSync(dir)).toEqual([]);
});

test('a probe that fails leaves no ready flag and ends non-zero with the reason', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'serve-')), 'coord');
  await expect(serveFake(options({ coordinationDir: dir, image: 'missing/image' }))).rejects.toThrow(
    /not ready: a probe sandbox of missing\/image failed: .*image not known/,
  );
  expect(fs.existsSync(path.join(dir, 'runtime_ready.flag'))).toBe(false);
  expect(process.listenerCount('SIGTERM')).toBe(0);
});

test('a container that cannot be removed at shutdown is named, and the end is non-zero', async () => {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'serve-')), 'coord');
  const running = serveFake(options({ coordinationDir: dir }));
  await waitFor(path.join(dir, 'runtime_ready.flag'));
  const url = fs.readFileSync(path.join(dir, 'runtime_url.txt'), 'utf8').trim();
  const key = fs.readFileSync(path.join(dir, 'runtime_api_key.txt'), 'utf8').trim();
  const made = (await (
    await fetch(`${url}/sandboxes`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: '{}',
    })
  ).json()) as { container: string };
  driver.stuck.add(made.container);
  process.emit('SIGTERM');
  await expect(running).rejects.toThrow(/1 sandbox container\(s\) could not be removed/);
  await expect(fetch(`${url}/health`)).rejects.toThrow();
  driver.stuck.clear();
  await driver.remove([made.container]);
});

test('a coordination directory of loose mode is closed to 0700; a file in its place is refused', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-'));
  const dir = path.join(root, 'coord');
  fs.mkdirSync(dir, { mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  const running = serveFake(options({ coordinationDir: dir }));
  await waitFor(path.join(dir, 'runtime_ready.flag'));
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  process.emit('SIGTERM');
  await running;
  const file = path.join(root, 'file');
  fs.writeFileSync(file, '');
  await expect(serveFake(options({ coordinationDir: file }))).rejects.toThrow(/not a directory/);
});
