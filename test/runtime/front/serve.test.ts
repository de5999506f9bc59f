// The native front (dist/slurm-oci-runtime) and the runtime server, built as shipped. crun is not
// on this machine, so a shell script stands in for it here (configured as the crun binary); the
// e2e suite runs the front with the real crun under Podman (test/e2e/runtime.test.ts).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { MAX_SERVERS, socketsToRetire } from '../../../src/runtime/front/serve.js';

const front = path.resolve('dist/slurm-oci-runtime');
const cli = path.resolve('bin/slurm-oci-runtime');
let tmp: string;
let env: Record<string, string>;
const log = () => fs.readFileSync(path.join(tmp, 'crun.log'), 'utf8');
const sockets = () => {
  const dir = path.join(tmp, 'xdg', 'slurm-oci');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.sock')) : [];
};

// The pids of the servers serving our runtime dir (their environment names its socket).
function servers(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`SLURM_OCI_SERVE=${tmp}/`);
      } catch {
        return false;
      }
    });
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  for (const end = Date.now() + ms; !ok(); await sleep(100))
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

// (--root: as real root the default state root would be /run/slurm-oci)
const run = (bin: string, args: string[], extra: Record<string, string> = {}) => {
  const r = spawnSync(bin, ['--root', `${tmp}/state`, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    cwd: tmp,
    env: { ...env, ...extra },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, pid: r.pid };
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-front-'));
  fs.mkdirSync(path.join(tmp, 'xdg'), { mode: 0o700 });
  fs.mkdirSync(path.join(tmp, 'b', 'rootfs'), { recursive: true });
  fs.writeFileSync(
    path.join(tmp, 'b', 'config.json'),
    JSON.stringify({ ociVersion: '1.0.2', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'] } }),
  );
  // stands in for crun: logs who ran it and how, answers state, prints on the caller's stdout
  fs.writeFileSync(
    path.join(tmp, 'crun'),
    `#!/bin/sh
echo "parent=$(readlink /proc/$PPID/exe) $*" >> "${tmp}/crun.log"
case " $* " in
*" create "*) if [ -e /proc/self/fd/3 ]; then echo fd3 >> "${tmp}/crun.log"; fi; echo created-out; exit \${FAKE_EXIT:-0} ;;
*" state "*) echo '{"ociVersion":"1.0.2","id":"c1","pid":4242,"status":"created","bundle":"/b","created":"2026-01-01T00:00:00Z"}' ;;
esac
`,
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(tmp, 'runtime.json'), JSON.stringify({ paths: { crun: path.join(tmp, 'crun') } }));
  env = {
    XDG_RUNTIME_DIR: path.join(tmp, 'xdg'),
    PATH: process.env.PATH!,
    SLURM_OCI_RUNTIME_CONFIG: path.join(tmp, 'runtime.json'),
  };
  // the first call finds no server: the Node CLI answers it and a server is started
  expect(run(front, ['state', 'nope'])).toMatchObject({
    code: 1,
    stderr: 'slurm-oci-runtime: container nope does not exist\n',
  });
  await until('the server', () => sockets().length === 1 && servers().length === 1);
});

afterAll(() => {
  for (const pid of servers()) process.kill(pid, 'SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('create through the server: crun runs as the front’s child, with its stdio, fds and environment', () => {
  const r = run(front, ['--backend', 'crun', 'create', '-b', 'b', '--preserve-fds', '1', '--pid-file', 'pid', 'c1']);
  expect(r).toMatchObject({ code: 0, stdout: 'created-out\n', stderr: '' });
  const [call, fd3] = log().trim().split('\n');
  expect(call).toBe(
    `parent=${front} --root ${tmp}/state/backends/crun create --bundle ${tmp}/b --pid-file ${tmp}/pid --preserve-fds 1 c1`,
  );
  expect(fd3).toBe('fd3');
  expect(JSON.parse(fs.readFileSync(`${tmp}/state/containers/c1/record.json`, 'utf8'))).toMatchObject({
    backend: 'crun',
    bundle: `${tmp}/b`,
  });
});

test('state and delete --force through the server; delete --force runs no state first', () => {
  fs.rmSync(path.join(tmp, 'crun.log'), { force: true });
  const state = run(front, ['state', 'c1']);
  expect(state.code).toBe(0);
  expect(JSON.parse(state.stdout)).toMatchObject({ id: 'c1', pid: 4242, status: 'created', bundle: `${tmp}/b` });
  expect(run(front, ['delete', '--force', 'c1'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  const server = `parent=${fs.readlinkSync(`/proc/${servers()[0]}/exe`)}`;
  expect(
    log()
      .trim()
      .split('\n')
      .map((l) => l.replace(/ --root \S+/, '')),
  ).toEqual([`${server} state c1`, `${server} delete --force c1`]);
  expect(fs.existsSync(`${tmp}/state/containers/c1`)).toBe(false);
});

test('a failing crun create gives its exit code and one error line, and forgets the id', () => {
  const r = run(front, ['--backend', 'crun', 'create', '-b', 'b', 'c2'], { FAKE_EXIT: '5' });
  expect(r).toMatchObject({
    code: 5,
    stdout: 'created-out\n',
    stderr: 'slurm-oci-runtime: crun create c2 failed (exit 5)\n',
  });
  expect(fs.existsSync(`${tmp}/state/containers/c2`)).toBe(false);
});

test('bad input gets the same answer from the front as from the CLI', () => {
  for (const args of [
    ['state', 'nope'],
    ['kill', 'nope', 'NOSIG'],
    ['create', '--bogus', 'x'],
    ['frobnicate'],
    ['--version'],
    ['list', '--format', 'json'],
    ['--backend', 'crun', 'create', '-b', 'missing', 'c3'],
  ]) {
    const viaCli = run(cli, args);
    expect({ args, ...run(front, args), pid: 0 }).toEqual({ args, ...viaCli, pid: 0 });
  }
});

test('each call has its own log: a bad flag in the next call does not write into the last call’s --log', () => {
  const first = path.join(tmp, 'first.log');
  expect(run(front, ['--log', first, 'state', 'nope']).code).toBe(1);
  const logged = fs.readFileSync(first, 'utf8');
  expect(logged).toMatch(/level=error msg="container nope does not exist"/);
  const [server] = servers();
  expect(run(front, ['--bogus', 'state', 'nope'])).toMatchObject({
    code: 1,
    stdout: '',
    stderr: 'slurm-oci-runtime: flag provided but not defined: -bogus\n',
  });
  expect(servers()).toEqual([server]); // the same server answered both
  expect(fs.readFileSync(first, 'utf8')).toBe(logged);
});

test('a new build replaces the server of the old one, and a user keeps at most a few', () => {
  const mtimes: Record<string, number> = {
    'front-aa-1-2.sock': 1,
    'front-bb-1-3.sock': 5,
    'front-cc-9-9.sock': 4,
    'front-dd-8-8.sock': 3,
    'front-ee-7-7.sock': 2,
  };
  const retire = socketsToRetire(
    '/x/front-ff-1-2.sock',
    [...Object.keys(mtimes), 'front-ff-1-2.sock', 'other'],
    (n) => mtimes[n]!,
  );
  // aa: same namespaces, older build; then the oldest beyond MAX_SERVERS (ours counts)
  expect(retire).toEqual(['front-aa-1-2.sock', 'front-ee-7-7.sock']);
  expect(MAX_SERVERS).toBe(4);
});

test('a server whose socket is gone exits; the next call starts another', async () => {
  const [old] = servers();
  fs.rmSync(path.join(tmp, 'xdg', 'slurm-oci', sockets()[0]!));
  await until('the old server to exit', () => !servers().includes(old!));
  expect(run(front, ['state', 'nope']).code).toBe(1);
  await until('a new server', () => servers().length === 1 && sockets().length === 1);
});

// Needs root (CI runs as root): a socket at our path that another user listens on.
(process.getuid?.() === 0 ? test : test.skip)(
  'as root, a server of another uid at the socket path is never obeyed',
  async () => {
    const dir = path.join(tmp, 'other', 'slurm-oci');
    fs.mkdirSync(dir, { recursive: true, mode: 0o777 });
    fs.chmodSync(tmp, 0o755);
    fs.chmodSync(path.join(tmp, 'other'), 0o777);
    fs.chmodSync(dir, 0o777);
    const socket = path.join(dir, sockets()[0]!);
    const marker = path.join(tmp, 'obeyed');
    // it answers every call with "run touch MARKER"
    const fake = `require('net').createServer((c) => { const b = Buffer.from('/usr/bin/touch\\0${marker}\\0');
    const h = Buffer.alloc(5); h.writeUInt32LE(b.length); h.write('R', 4); c.write(Buffer.concat([h, b])); }).listen(${JSON.stringify(socket)})`;
    const child = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', fake], {
      stdio: 'ignore',
    });
    try {
      await until('the impostor', () => fs.existsSync(socket));
      const r = run(front, ['state', 'nope'], { XDG_RUNTIME_DIR: path.join(tmp, 'other') });
      expect(r).toMatchObject({ code: 1, stderr: 'slurm-oci-runtime: container nope does not exist\n' });
      expect(fs.existsSync(marker)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  },
);
