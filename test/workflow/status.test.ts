// Status pieces that need no Slurm: the health probe against a real local HTTP server, log tails,
// and the human forms of status and list.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { formatList } from '../../src/workflow/list.js';
import { formatStatus, jobEnded, lastLines, probeHealth } from '../../src/workflow/status.js';

test('health probe: 200 is ok, other answers and refused connections are not', async () => {
  const server = http.createServer((req, res) => {
    res.statusCode = req.url === '/health' ? 200 : 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    expect(await probeHealth(`http://127.0.0.1:${port}`)).toEqual({ ok: true, detail: 'HTTP 200' });
    expect(await probeHealth(`http://127.0.0.1:${port}/base/`)).toEqual({ ok: false, detail: 'HTTP 404' });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise((resolve) => closed.close(resolve));
  expect(await probeHealth(`http://127.0.0.1:${closedPort}`)).toEqual({ ok: false, detail: 'ECONNREFUSED' });
});

test('last lines of a log', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'log-')), 'x.out');
  fs.writeFileSync(file, 'a\nb\nc\n');
  expect(lastLines(file, 2)).toEqual(['b', 'c']);
  fs.writeFileSync(file, '');
  expect(lastLines(file, 2)).toEqual([]);
});

test('job states: over once ended or forgotten', () => {
  expect(jobEnded({ id: '1', state: 'RUNNING' })).toBe(false);
  expect(jobEnded({ id: '1', state: 'PENDING' })).toBe(false);
  expect(jobEnded({ id: '1', state: 'CANCELLED' })).toBe(true);
  expect(jobEnded({ id: '1', state: 'GONE' })).toBe(true);
  expect(jobEnded(undefined)).toBe(true);
});

test('human status and list', () => {
  const text = formatStatus({
    dir: '/j/20260101_000000_4',
    config: '/c/dev.conf',
    runtime: { id: '4', state: 'RUNNING', nodes: 'n1' },
    training: { id: '5', state: 'PENDING', reason: 'Dependency' },
    flags: { ready: true, complete: false },
    url: 'http://n1:8000',
    health: { ok: true, detail: 'HTTP 200' },
    logs: { 'runtime_4.out': ['started'], 'training_5.out': [] },
  });
  expect(text).toBe(`directory:    /j/20260101_000000_4
config:       /c/dev.conf
runtime job:  4 RUNNING on n1
training job: 5 PENDING (Dependency)
flags:        ready=yes complete=no
server:       http://n1:8000 health ok (HTTP 200)
--- runtime_4.out
started
`);
  expect(
    formatList([
      {
        dir: '/j/20260101_000000_4',
        runtime: { id: '4', state: 'RUNNING' },
        training: { id: '5', state: 'PENDING' },
        ready: true,
        complete: false,
      },
      { dir: '/j/20251231_000000_2', training: { id: '2', state: 'COMPLETED' }, ready: true, complete: true },
    ]),
  ).toBe(`DIRECTORY          RUNTIME    TRAINING     FLAGS
20260101_000000_4  4 RUNNING  5 PENDING    ready
20251231_000000_2  -          2 COMPLETED  ready,complete
`);
});

test("a pool front's health lists its nodes; status shows each node's figures, and a dead one", async () => {
  const workers = [
    { node: 'n1', url: 'http://10.77.0.11:8001', up: true, slots: 4, used: 3, waiting: 0, sandboxes: 3 },
    { node: 'n2', url: 'http://10.77.0.12:8001', up: false, reason: 'it stopped answering: ECONNREFUSED' },
  ];
  const server = http.createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', workers })),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    const health = await probeHealth(`http://127.0.0.1:${port}`);
    expect(health).toEqual({ ok: true, detail: 'HTTP 200', pool: workers });
    const text = formatStatus({
      dir: '/j/x',
      flags: { ready: true, complete: false },
      url: 'http://10.77.0.11:8000',
      health,
      logs: {},
    });
    expect(text).toContain('server:       http://10.77.0.11:8000 health ok (HTTP 200)\n');
    expect(text).toContain('  n1           http://10.77.0.11:8001  3/4 slots used, 0 waiting, 3 sandboxes\n');
    expect(text).toContain('  n2           http://10.77.0.12:8001  DEAD (it stopped answering: ECONNREFUSED)\n');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
