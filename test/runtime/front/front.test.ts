// The native front on its own (native/front.c, compiled here with a test build id): what it does
// with a server that sends garbage, where it starts servers, and that it builds without glibc's
// close_range wrapper (glibc < 2.34, RHEL/Rocky 8).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from '@jest/globals';

let tmp: string;
let front: string;
const ns = (name: string) => /\[(\d+)\]/.exec(fs.readlinkSync(`/proc/self/ns/${name}`))![1];
const socketDir = () => path.join(tmp, 'xdg', 'slurm-oci');
const socketPath = () => path.join(socketDir(), `front-7e57-${ns('user')}-${ns('mnt')}.sock`);
const env = () => ({ PATH: process.env.PATH!, XDG_RUNTIME_DIR: path.join(tmp, 'xdg') });
const cc = (args: string[]) =>
  spawnSync(process.env.CC || 'cc', ['-O2', '-Wall', '-DBUILD_ID="7e57"', ...args, 'native/front.c'], {
    encoding: 'utf8',
  });

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-native-'));
  fs.mkdirSync(path.join(tmp, 'xdg'), { mode: 0o700 });
  front = path.join(tmp, 'slurm-oci-runtime');
  const r = cc(['-o', front]);
  expect(r.stderr).toBe('');
  // the CLI the front falls back to: the one built beside dist/slurm-oci-runtime
  fs.symlinkSync(path.resolve('dist/slurm-oci-runtime.cjs'), path.join(tmp, 'slurm-oci-runtime.cjs'));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// Serves one connection at the front's socket with ANSWER (raw bytes) and returns the front's result.
async function withServer(answer: Buffer) {
  fs.mkdirSync(socketDir(), { recursive: true, mode: 0o700 });
  const server = net.createServer((c) => {
    c.on('error', () => {});
    c.once('data', () => c.write(answer));
  });
  await new Promise<void>((resolve) => server.listen(socketPath(), resolve));
  try {
    const child = spawn(front, ['state', 'x'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const hung = setTimeout(() => child.kill('SIGKILL'), 4000);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
      child.once('exit', (c, s) => resolve([c, s])),
    );
    clearTimeout(hung);
    return { code, signal, stderr };
  } finally {
    server.close();
    fs.rmSync(socketPath(), { force: true });
  }
}

test('a frame longer than the cap is refused, not allocated (0xFFFFFFFF wrapped malloc to 0)', async () => {
  const head = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x4f]);
  expect(await withServer(Buffer.concat([head, Buffer.alloc(64, 0x41)]))).toEqual({
    code: 1,
    signal: null,
    stderr: 'slurm-oci-runtime: the runtime server sent a bad frame (type 0x4f, 4294967295 bytes)\n',
  });
});

test('an unknown frame type is refused', async () => {
  const r = await withServer(Buffer.from([1, 0, 0, 0, 0x5a, 0x21]));
  expect(r).toEqual({
    code: 1,
    signal: null,
    stderr: 'slurm-oci-runtime: the runtime server sent a bad frame (type 0x5a, 1 bytes)\n',
  });
});

test('it builds without the close_range wrapper (glibc < 2.34)', () => {
  const r = cc([
    '-Dclose_range=__no_close_range',
    '-Werror=implicit-function-declaration',
    '-o',
    path.join(tmp, 'front-old-glibc'),
  ]);
  expect(r.status).toBe(0);
});

test('a call under conmon starts no server (conmon would adopt it); a call from elsewhere does', async () => {
  // a shell named conmon stands in for Podman's container monitor (matched by its name)
  const conmon = path.join(tmp, 'conmon');
  fs.copyFileSync('/bin/sh', conmon);
  fs.chmodSync(conmon, 0o755);
  const under = spawnSync(conmon, ['-c', `"${front}" state nope; true`], {
    env: env(),
    encoding: 'utf8',
    timeout: 10_000,
  });
  expect(under.stderr).toBe('slurm-oci-runtime: container nope does not exist\n');
  await sleep(1500);
  expect(fs.existsSync(socketPath())).toBe(false);

  expect(spawnSync(front, ['state', 'nope'], { env: env(), encoding: 'utf8', timeout: 10_000 }).status).toBe(1);
  for (let i = 0; i < 100 && !fs.existsSync(socketPath()); i++) await sleep(100);
  expect(fs.existsSync(socketPath())).toBe(true);
  // the server goes when its socket does
  fs.rmSync(socketPath());
});

test('H leaves a hand behind: the parent exits with the first X; the hand runs A, passes its stderr, exit and signals on, and ends with the second X', async () => {
  const { FrameReader, frame, nulList } = await import('../../../src/runtime/front/protocol.js');
  fs.mkdirSync(socketDir(), { recursive: true, mode: 0o700 });
  const got: Array<[string, string]> = [];
  let wake = () => {};
  const next = (type: string) =>
    new Promise<string>((resolve) => {
      const look = () => {
        const i = got.findIndex(([t]) => t === type);
        if (i < 0) return void (wake = look);
        resolve(got.splice(i, 1)[0]![1]);
      };
      look();
    });
  let conn!: net.Socket;
  const connected = new Promise<void>((resolve) => {
    const server = net.createServer((c) => {
      conn = c;
      server.close();
      const reader = new FrameReader();
      c.on('data', (d) => {
        for (const f of reader.push(d)) got.push([f.type, f.payload.toString()]);
        wake();
      });
      c.on('close', () => (got.push(['closed', '']), wake()));
      resolve();
    });
    server.listen(socketPath());
  });
  const parent = spawn(front, ['create', 'x'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  const parentExit = new Promise<number | null>((resolve) => parent.once('exit', (code) => resolve(code)));
  try {
    await connected;
    await next('Q');
    conn.write(frame('H'));
    const hand = Number(await next('S'));
    expect(hand).toBeGreaterThan(0);
    expect(hand).not.toBe(parent.pid);
    conn.write(frame('X', '0'));
    expect(await parentExit).toBe(0);
    expect(fs.existsSync(`/proc/${hand}`)).toBe(true);

    conn.write(frame('A', nulList(['/bin/sh', '-c', 'echo oops >&2; exit 3'])));
    expect(Number(await next('S'))).toBeGreaterThan(0);
    expect(await next('e')).toBe('oops\n');
    expect(await next('x')).toBe('3');
    expect(await next('g')).toBe('');

    process.kill(hand, 'SIGTERM');
    expect(await next('K')).toBe('15');
    conn.end(frame('X', '7'));
    await next('closed');
    for (
      let i = 0;
      i < 50 && fs.existsSync(`/proc/${hand}/cmdline`) && fs.readFileSync(`/proc/${hand}/cmdline`).length;
      i++
    )
      await sleep(50);
    expect(fs.existsSync(`/proc/${hand}/cmdline`) && fs.readFileSync(`/proc/${hand}/cmdline`).length > 0).toBe(false);
  } finally {
    parent.kill('SIGKILL');
    fs.rmSync(socketPath(), { force: true });
  }
}, 20_000);
