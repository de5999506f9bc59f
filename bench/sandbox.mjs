#!/usr/bin/env node
// Benchmark of `slurm-oci sandbox serve` at scale against Podman by hand, in one run, on the same
// image and runtime. It runs inside the cluster as an ordinary user (it needs rootless Podman):
//
//   node bench/run.mjs sandbox        (as root on the host: a fresh cluster, then this as alice;
//                                      BENCH_SANDBOXES=64 BENCH_ROUNDS=3 set the options)
//   test/cluster/testbed user sh -c 'cd /project && node bench/sandbox.mjs [--sandboxes 32] [--rounds 5]'
//
// By hand: N `podman run -d` at once, then rounds of N `podman exec NAME true` at once (one per
// container), then M `podman exec` one after another. Through the server: N POST /sandboxes at once,
// the same rounds of N execs of `true`, then M execs one after another. Prints start and exec p50/p95,
// 32-way exec throughput, the server's RSS and the memory per sandbox (conmon plus the container's
// processes), each beside the by-hand figure, with ratios. Options: --runtime PATH (default
// /project/bin/slurm-oci-runtime), --backend crun, --image localhost/busybox, --sequential 30, --json.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { median, podmanStore, quantile } from './lib.mjs';

const run = promisify(execFile);
const { values: o } = parseArgs({
  options: {
    sandboxes: { type: 'string', default: process.env.BENCH_SANDBOXES ?? '32' },
    rounds: { type: 'string', default: process.env.BENCH_ROUNDS ?? '5' },
    sequential: { type: 'string', default: '30' },
    runtime: { type: 'string', default: '/project/bin/slurm-oci-runtime' },
    backend: { type: 'string', default: 'crun' },
    image: { type: 'string', default: 'localhost/busybox' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(o.sandboxes);
const rounds = Number(o.rounds);
const sequential = Number(o.sequential);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const slurmOci = path.basename(o.runtime) === 'slurm-oci-runtime';

const env = podmanStore('podman-bench');
delete env.NODE_EXTRA_CA_CERTS; // it triples Node 20's start-up (slurm-oci-runtime is a Node program)
if (slurmOci) env.SLURM_OCI_BACKEND = o.backend;
const global = ['--runtime', o.runtime, ...(slurmOci ? ['--runtime-flag', `backend=${o.backend}`] : [])];
const podman = (args) => run('podman', [...global, ...args], { env, maxBuffer: 1 << 24 });
const now = () => performance.now();
const timed = async (fn) => {
  const t0 = now();
  await fn();
  return now() - t0;
};
const kib = (pid) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
// conmon's and the container's processes' memory, per container (MiB).
async function memoryPer(names) {
  const total = await Promise.all(
    names.map(async (name) => {
      const { stdout } = await podman(['inspect', '--format', '{{.State.ConmonPid}} {{.State.Pid}}', name]);
      const [conmon, pid] = stdout.trim().split(' ').map(Number);
      const children = (p) => {
        try {
          return fs
            .readFileSync(`/proc/${p}/task/${p}/children`, 'utf8')
            .trim()
            .split(/\s+/)
            .filter(Boolean)
            .map(Number);
        } catch {
          return [];
        }
      };
      const tree = [pid, ...children(pid)];
      return [conmon, ...tree].reduce(
        (sum, p) =>
          sum +
          (() => {
            try {
              return kib(p);
            } catch {
              return 0;
            }
          })(),
        0,
      );
    }),
  );
  return total.reduce((a, b) => a + b, 0) / names.length / 1024;
}

const figures = (xs) => ({ p50: median(xs), p95: quantile(xs, 0.95) });

// By hand.
async function byHand() {
  const names = Array.from({ length: N }, (_, i) => `bench-hand-${process.pid}-${i}`);
  const starts = await Promise.all(
    names.map((n) =>
      timed(() => podman(['run', '-d', '--name', n, '--network', 'host', o.image, 'sleep', 'infinity'])),
    ),
  );
  const execs = [];
  const waves = [];
  for (let r = 0; r < rounds; r++) {
    waves.push(
      await timed(async () =>
        execs.push(...(await Promise.all(names.map((n) => timed(() => podman(['exec', n, 'true'])))))),
      ),
    );
  }
  const single = [];
  for (let i = 0; i < sequential; i++) single.push(await timed(() => podman(['exec', names[0], 'true'])));
  const memory = await memoryPer(names);
  await podman(['rm', '-f', '-t', '0', ...names]);
  return { start: figures(starts), exec: figures(execs), wave: median(waves), single: figures(single), memory };
}

// Through the server.
async function throughServer() {
  const coord = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sandbox-'));
  const server = spawn(
    process.execPath,
    [
      path.join(repo, 'bin/slurm-oci'),
      'sandbox',
      'serve',
      '--image',
      o.image,
      '--port',
      '0',
      '--max-parallel',
      String(N),
      '--idle-timeout',
      '0',
      '--log-level',
      'warn',
      '--coordination-dir',
      coord,
      '--runtime',
      o.runtime,
      ...(slurmOci ? ['--backend', o.backend] : []),
    ],
    { env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  try {
    const ready = path.join(coord, 'runtime_ready.flag');
    for (let i = 0; i < 1200 && !fs.existsSync(ready); i++) await new Promise((r) => setTimeout(r, 50));
    if (!fs.existsSync(ready)) throw new Error('the sandbox server did not become ready');
    const base = fs.readFileSync(path.join(coord, 'runtime_url.txt'), 'utf8').trim();
    const key = fs.readFileSync(path.join(coord, 'runtime_api_key.txt'), 'utf8').trim();
    const api = async (method, url, body) => {
      const res = await fetch(base + url, {
        method,
        headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
      return text ? JSON.parse(text) : undefined;
    };
    const made = [];
    const starts = await Promise.all(
      Array.from({ length: N }, () => timed(async () => made.push(await api('POST', '/sandboxes', {})))),
    );
    const execTrue = async (id) => {
      const r = await api('POST', `/sandboxes/${id}/exec`, { command: ['true'] });
      if (r.exit_code !== 0) throw new Error(`exec true in ${id} gave ${r.exit_code}`);
    };
    const execs = [];
    const waves = [];
    for (let r = 0; r < rounds; r++) {
      waves.push(
        await timed(async () => execs.push(...(await Promise.all(made.map((s) => timed(() => execTrue(s.id))))))),
      );
    }
    const single = [];
    for (let i = 0; i < sequential; i++) single.push(await timed(() => execTrue(made[0].id)));
    const rss = kib(server.pid) / 1024;
    const memory = await memoryPer(made.map((s) => s.container));
    return { start: figures(starts), exec: figures(execs), wave: median(waves), single: figures(single), memory, rss };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    fs.rmSync(coord, { recursive: true, force: true });
  }
}

const hand = await byHand();
const served = await throughServer();
const r1 = (x) => Math.round(x * 10) / 10;
const ratio = (a, b) => Math.round((a / b) * 100) / 100;
const report = {
  runtime: o.runtime,
  backend: slurmOci ? o.backend : undefined,
  sandboxes: N,
  rounds,
  hand: JSON.parse(JSON.stringify(hand, (_k, v) => (typeof v === 'number' ? r1(v) : v))),
  server: JSON.parse(JSON.stringify(served, (_k, v) => (typeof v === 'number' ? r1(v) : v))),
  ratio: {
    start_p50: ratio(served.start.p50, hand.start.p50),
    start_p95: ratio(served.start.p95, hand.start.p95),
    exec_p50: ratio(served.exec.p50, hand.exec.p50),
    exec_p95: ratio(served.exec.p95, hand.exec.p95),
    wave: ratio(served.wave, hand.wave),
    single_p50: ratio(served.single.p50, hand.single.p50),
  },
};
if (o.json) console.log(JSON.stringify(report, null, 2));
else {
  const row = (what, s, h, q) =>
    console.log(
      `${what.padEnd(34)} server ${String(r1(s)).padStart(8)}  by hand ${String(r1(h)).padStart(8)}  ratio ${q}`,
    );
  console.log(
    `runtime ${o.runtime}${report.backend ? ` (backend ${report.backend})` : ''}: ${N} sandboxes, ${rounds} rounds of ${N} concurrent execs`,
  );
  row('start p50 (ms)', served.start.p50, hand.start.p50, report.ratio.start_p50);
  row('start p95 (ms)', served.start.p95, hand.start.p95, report.ratio.start_p95);
  row(`${N}-way exec p50 (ms)`, served.exec.p50, hand.exec.p50, report.ratio.exec_p50);
  row(`${N}-way exec p95 (ms)`, served.exec.p95, hand.exec.p95, report.ratio.exec_p95);
  row(`${N} concurrent execs, wall (ms)`, served.wave, hand.wave, report.ratio.wave);
  row('exec true one at a time p50 (ms)', served.single.p50, hand.single.p50, report.ratio.single_p50);
  row('memory per sandbox (MiB)', served.memory, hand.memory, ratio(served.memory, hand.memory));
  console.log(`server RSS with ${N} sandboxes: ${r1(served.rss)} MiB`);
}
