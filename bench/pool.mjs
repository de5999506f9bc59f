#!/usr/bin/env node
// Benchmark of the sandbox pool (issue 12) on a three-node test cluster, against one node in the
// same run. As root on the host (`npm run build` first):
//
//   env -u NODE_EXTRA_CA_CERTS node bench/pool.mjs
//
// starts its own instance (TESTBED_NAME, default bench-pool, TESTBED_NODES=3), then runs itself
// inside as alice (--inside), who starts through Slurm (srun) first one `sandbox serve` on n1 with
// 3*M slots, then a pool: a worker on each of n1..n3 with M slots and `sandbox front` on n1. On each:
//   - starts/s: 3*M POST /sandboxes at once, from the first request to the last answer;
//   - exec p50/p90: EXECS POST /sandboxes/ID/exec `true`, 4 at a time, spread over the sandboxes;
//     in the pool also straight to n1's worker for n1's sandboxes (the front's hop alone);
//   - front throughput: GET /registry_prefix (proxied, no Podman behind it) for 3 s, 16 at a time,
//     through the front against the same call straight to a worker.
// The testbed's nodes share this machine's cores, so the pool cannot be faster here than one node:
// the figures show what the front costs; capacity comes from real nodes (README's capacity model).
// Options (environment): BENCH_SLOTS (M, default 4), BENCH_EXECS (default 60), BENCH_ROUNDS (default 1).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, podmanStore, quantile } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const slots = Number(process.env.BENCH_SLOTS ?? 4);
const execs = Number(process.env.BENCH_EXECS ?? 60);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
const progress = (text) => process.stderr.write(`${text}\n`);

if (!process.argv.includes('--inside')) {
  const env = {
    ...process.env,
    TESTBED_NAME: process.env.TESTBED_NAME || 'bench-pool',
    TESTBED_NODES: '3',
    TESTBED_BIND: repo,
  };
  delete env.NODE_EXTRA_CA_CERTS;
  const testbed = (...args) => spawnSync(path.join(repo, 'test/cluster/testbed'), args, { stdio: 'inherit', env });
  if (testbed('down').status !== 0 || testbed('up').status !== 0) process.exit(1);
  const passOn = Object.keys(process.env)
    .filter((k) => k.startsWith('BENCH_'))
    .map((k) => `${k}=${process.env[k]}`);
  const r = testbed(
    'user',
    'env',
    '-u',
    'NODE_EXTRA_CA_CERTS',
    ...passOn,
    'node',
    '/project/bench/pool.mjs',
    '--inside',
  );
  if (process.env.TESTBED_KEEP !== '1') testbed('down');
  process.exit(r.status ?? 1);
}

// --- inside the cluster, as alice ---
const slurmOci = path.join(repo, 'bin/slurm-oci');
const env = podmanStore('podman-bench-pool');
const serveArgs = (max) => [
  'sandbox',
  'serve',
  '--image',
  'localhost/busybox',
  '--max-parallel',
  String(max),
  '--idle-timeout',
  '0',
  '--runtime',
  '/usr/bin/crun',
  '--log-level',
  'warn',
];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits for DIR's ready flag; returns the URL and key there.
async function announced(dir, child) {
  for (let i = 0; !fs.existsSync(path.join(dir, 'runtime_ready.flag')); i++) {
    if (child.exitCode !== null) throw new Error(`a server ended before it was ready (status ${child.exitCode})`);
    if (i > 1500) throw new Error(`no ready flag in ${dir} after 300 s`);
    await sleep(200);
  }
  const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8').trim();
  return { url: read('runtime_url.txt'), key: read('runtime_api_key.txt') };
}

// Starts one setup through Slurm; returns its URL and key, a worker's, and how to stop it: by
// training_complete.flag, so the servers remove their containers (srun kills a step it is told to end).
async function start(kind, dir) {
  const children = [];
  // --mem: without it a job takes the node's whole memory, and the next one waits
  const run = (args) => {
    const c = spawn('srun', ['--mem=1000M', ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(c);
    return c;
  };
  const stop = async () => {
    fs.mkdirSync(kind === 'one node' ? dir : `${dir}/front`, { recursive: true });
    fs.writeFileSync(path.join(kind === 'one node' ? dir : `${dir}/front`, 'training_complete.flag'), 'bench done\n');
    const ended = Promise.all(
      children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)),
    );
    const timer = setTimeout(() => children.forEach((c) => c.kill('SIGTERM')), 60_000);
    await ended;
    clearTimeout(timer);
  };
  try {
    if (kind === 'one node') {
      const c = run([
        '-J',
        'bench-one',
        '-N1',
        '-w',
        'n1',
        process.execPath,
        slurmOci,
        ...serveArgs(3 * slots),
        '--host',
        '10.77.0.11',
        '--port',
        '8201',
        '--coordination-dir',
        dir,
      ]);
      const server = await announced(dir, c);
      return { ...server, worker: server, stop };
    }
    const worker = `addr=$(getent ahostsv4 "$(hostname)" | awk 'NR == 1 {print $1}'); exec "$0" "$1" ${serveArgs(slots).join(' ')} --host "$addr" --port 8202 --coordination-dir "$2/$SLURMD_NODENAME"`;
    const w = run([
      '-J',
      'bench-workers',
      '-N3',
      '--ntasks-per-node=1',
      'sh',
      '-c',
      worker,
      process.execPath,
      slurmOci,
      `${dir}/workers`,
    ]);
    const f = run([
      '-J',
      'bench-front',
      '-N1',
      '-w',
      'n1',
      process.execPath,
      slurmOci,
      'sandbox',
      'front',
      '--host',
      '10.77.0.11',
      '--port',
      '8200',
      '--workers-dir',
      `${dir}/workers`,
      '--expect-workers',
      '3',
      '--coordination-dir',
      `${dir}/front`,
      '--log-level',
      'warn',
    ]);
    const server = await announced(`${dir}/front`, f);
    if (w.exitCode !== null) throw new Error('the workers ended');
    return { ...server, worker: await announced(`${dir}/workers/n1`, w), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

// One request; throws unless the answer is 2xx.
async function call(server, method, p, body) {
  const r = await fetch(`${server.url}${p}`, {
    method,
    headers: { 'x-api-key': server.key, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

// Runs TASKS (functions) CONCURRENCY at a time; returns each one's milliseconds.
async function limited(tasks, concurrency) {
  const times = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        const t0 = performance.now();
        await task();
        times.push(performance.now() - t0);
      }
    }),
  );
  return times;
}

// Requests per second of GET /registry_prefix on SERVER, 16 at a time for 3 s.
async function throughput(server) {
  let done = 0;
  const until = performance.now() + 3000;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < until) {
        await call(server, 'GET', '/registry_prefix');
        done++;
      }
    }),
  );
  return done / 3;
}

// The figures of one setup.
async function measure(kind) {
  const dir = fs.mkdtempSync(path.join(os.homedir(), 'bench-pool-'));
  progress(`${kind}: starting the server(s) through Slurm`);
  const s = await start(kind, dir);
  try {
    const n = 3 * slots;
    const t0 = performance.now();
    const made = await Promise.all(Array.from({ length: n }, () => call(s, 'POST', '/sandboxes', {})));
    const startsPerS = n / ((performance.now() - t0) / 1000);
    const nodes = [...new Set(made.map((m) => m.node ?? 'n1'))].sort().join(',');
    progress(`${kind}: ${n} sandboxes on ${nodes} at ${startsPerS.toFixed(2)}/s; ${execs} execs`);
    const times = await limited(
      Array.from(
        { length: execs },
        (_, i) => () => call(s, 'POST', `/sandboxes/${made[i % n].id}/exec`, { command: ['true'] }),
      ),
      4,
    );
    const own = made.filter((m) => (m.node ?? 'n1') === 'n1');
    const frontOwn = await limited(
      Array.from(
        { length: execs },
        (_, i) => () => call(s, 'POST', `/sandboxes/${own[i % own.length].id}/exec`, { command: ['true'] }),
      ),
      4,
    );
    const direct = await limited(
      Array.from(
        { length: execs },
        (_, i) => () => call(s.worker, 'POST', `/sandboxes/${own[i % own.length].id}/exec`, { command: ['true'] }),
      ),
      4,
    );
    const viaFront = await throughput(s);
    const straight = await throughput(s.worker);
    await Promise.all(made.map((m) => call(s, 'DELETE', `/sandboxes/${m.id}`)));
    return {
      kind,
      nodes,
      startsPerS,
      execP50: median(times),
      execP90: quantile(times, 0.9),
      directP50: median(direct),
      frontOwnP50: median(frontOwn),
      viaFront,
      straight,
    };
  } finally {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const results = [];
for (let r = 0; r < rounds; r++) for (const kind of ['one node', 'pool of 3']) results.push(await measure(kind));
const pick = (kind, key) => median(results.filter((x) => x.kind === kind).map((x) => x[key]));
const one = (k) => pick('one node', k);
const three = (k) => pick('pool of 3', k);
console.log(
  `\nsandbox pool, ${3 * slots} sandboxes (one node: ${3 * slots} slots; pool: ${slots} per node), ${execs} execs, ${rounds} round(s)`,
);
console.log(`                    one node     pool of 3   ratio (pool / one node)`);
console.log(
  `starts/s            ${one('startsPerS').toFixed(2).padStart(8)}  ${three('startsPerS').toFixed(2).padStart(12)}   ${(three('startsPerS') / one('startsPerS')).toFixed(2)}`,
);
console.log(
  `exec p50 (ms)       ${one('execP50').toFixed(1).padStart(8)}  ${three('execP50').toFixed(1).padStart(12)}   ${(three('execP50') / one('execP50')).toFixed(2)}`,
);
console.log(
  `exec p90 (ms)       ${one('execP90').toFixed(1).padStart(8)}  ${three('execP90').toFixed(1).padStart(12)}   ${(three('execP90') / one('execP90')).toFixed(2)}`,
);
console.log(
  `pool, n1's sandboxes: exec p50 ${three('frontOwnP50').toFixed(1)} ms through the front, ${three('directP50').toFixed(1)} ms straight to the worker (the front's hop: ${(three('frontOwnP50') - three('directP50')).toFixed(1)} ms)`,
);
console.log(
  `front throughput, GET /registry_prefix 16 at a time: ${three('viaFront').toFixed(0)} req/s through the front, ${three('straight').toFixed(0)} req/s straight to a worker (${(three('viaFront') / three('straight')).toFixed(2)})`,
);
