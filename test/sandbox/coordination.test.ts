// The coordination directory: key 0600, URL before the ready flag, stale flag removed, completion watched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { announce, prepareDir, publicUrl, watchForCompletion, writeKey } from '../../src/sandbox/coordination.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'coord-'));

test('prepareDir creates the directory and removes a ready flag left by an earlier server', () => {
  const dir = path.join(tmp(), 'jobs', 'run1');
  prepareDir(dir);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  fs.writeFileSync(path.join(dir, 'runtime_ready.flag'), 'old');
  prepareDir(dir);
  expect(fs.existsSync(path.join(dir, 'runtime_ready.flag'))).toBe(false);
});

test('writeKey is 0600 and announce writes the URL and then the ready flag', () => {
  const dir = tmp();
  writeKey(dir, 'the-key');
  expect(fs.readFileSync(path.join(dir, 'runtime_api_key.txt'), 'utf8')).toBe('the-key\n');
  expect(fs.statSync(path.join(dir, 'runtime_api_key.txt')).mode & 0o777).toBe(0o600);
  announce(dir, 'http://node1:8000');
  expect(fs.readFileSync(path.join(dir, 'runtime_url.txt'), 'utf8')).toBe('http://node1:8000\n');
  const url = fs.statSync(path.join(dir, 'runtime_url.txt'));
  const flag = fs.statSync(path.join(dir, 'runtime_ready.flag'));
  expect(flag.mtimeMs).toBeGreaterThanOrEqual(url.mtimeMs);
  expect(fs.readdirSync(dir).sort()).toEqual(['runtime_api_key.txt', 'runtime_ready.flag', 'runtime_url.txt']);
});

test('watchForCompletion calls back once the flag appears, and can be stopped', async () => {
  const dir = tmp();
  let calls = 0;
  const stop = watchForCompletion(dir, () => (calls += 1), 10);
  await new Promise((r) => setTimeout(r, 40));
  expect(calls).toBe(0);
  fs.writeFileSync(path.join(dir, 'training_complete.flag'), '');
  await new Promise((r) => setTimeout(r, 60));
  expect(calls).toBe(1);
  stop();
});

test('publicUrl names the node when listening everywhere', () => {
  expect(publicUrl('0.0.0.0', 8000, 'node7')).toBe('http://node7:8000');
  expect(publicUrl('::', 8000, 'node7')).toBe('http://node7:8000');
  expect(publicUrl('10.1.2.3', 9000, 'node7')).toBe('http://10.1.2.3:9000');
  expect(publicUrl('::1', 9000, 'node7')).toBe('http://[::1]:9000');
});
