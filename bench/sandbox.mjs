#!/usr/bin/env node
// Benchmark of `slurm-oci sandbox serve` against Podman by hand, in one run, on the same image and
// runtime. It runs inside the cluster as an ordinary user (it needs rootless Podman):
//
//   node bench/run.mjs sandbox        (as root on the host: a fresh cluster, then this as alice)
//   test/cluster/testbed user sh -c 'cd /project && node bench/sandbox.mjs [--runs 10] [--execs 20]'
//
// Measures (medians): time from POST /sandboxes to the first successful exec, against `podman run -d`
// plus the first successful `podman exec` by hand; and the round trip of exec `true`, against
// `podman exec NAME true`. Prints the ratios (overhead target: at most 1.20). Options: --runtime
// PATH (default /project/bin/slurm-oci-runtime), --backend crun, --image localhost/busybox, --json.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { median } from './lib.mjs';

const run = promisify(execFile);
const { values: o } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    execs: { type: 'string', default: '20' },
    runtime: { type: 'string', default: '/project/bin/slurm-oci-runtime' },
    backend: { type: 'string', default: 'crun' },
    image: { type: 'string', default: 'localhost/busybox' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(o.runs);
const execs = Number(o.execs);
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const slurmOci = path.basename(o.runtime) === 'slurm-oci-runtime';

// Its own Podman store and configuration, so nothing else on the account is touched.
const home = path.join(os.homedir(), 'podman-bench');
const runDir = path.join(process.env.XDG_RUNTIME_DIR ?? os.tmpdir(), 'podman-bench');
fs.mkdirSync(home, { recursive: true });
fs.mkdirSync(runDir, { recursive: true });
fs.writeFileSync(
  path.join(home, 'containers.conf'),
  `[containers]\nnetns = "host"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nstatic_dir = "${home}/static"\ntmp_dir = "${runDir}/tmp"\n`,
);
fs.writeFileSync(path.join(home, 'storage.conf'), `[storage]\ndriver = "vfs"\ngraphroot = "${home}/graph"\nrootless_storage_path = "${home}/graph"\nrunroot = "${runDir}/run"\n`);
const env = { ...process.env, CONTAINERS_CONF: `${home}/containers.conf`, CONTAINERS_STORAGE_CONF: `${home}/storage.conf` };
delete env.NODE_EXTRA_CA_CERTS; // it triples Node 20's start-up (slurm-oci-runtime is a Node program)
if (slurmOci) env.SLURM_OCI_BACKEND = o.backend;
const global = ['--runtime', o.runtime, ...(slurmOci ? ['--runtime-flag', `backend=${o.backend}`] : [])];
const podman = (args) => run('podman', [...global, ...args], { env, maxBuffer: 1 << 24 });
if (o.image === 'localhost/busybox') {
  await podman(['image', 'exists', o.image]).catch(() => podman(['import', '-q', '/srv/busybox.tar', o.image]));
}

// The server, on a free loopback port; its URL and key come from the coordination directory.
const coord = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sandbox-'));
const server = spawn(
  process.execPath,
  [path.join(repo, 'bin/slurm-oci'), 'sandbox', 'serve', '--image', o.image, '--host', '127.0.0.1', '--port', '0',
    '--max-parallel', '4', '--idle-timeout', '0', '--log-level', 'warn', '--coordination-dir', coord,
    '--runtime', o.runtime, ...(slurmOci ? ['--backend', o.backend] : [])],
  { env, stdio: ['ignore', 'inherit', 'inherit'] },
);
const ready = path.join(coord, 'runtime_ready.flag');
for (let i = 0; i < 300 && !fs.existsSync(ready); i++) await new Promise((r) => setTimeout(r, 50));
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
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
};

const now = () => performance.now();

// By hand: podman run -d, then podman exec until it succeeds.
async function handStart(name) {
  const t0 = now();
  await podman(['run', '-d', '--name', name, '--network', 'host', o.image, 'sleep', 'infinity']);
  for (;;) {
    try {
      await podman(['exec', name, 'true']);
      return now() - t0;
    } catch {}
  }
}

// Through the server: POST /sandboxes, then exec until it succeeds.
async function serverStart() {
  const t0 = now();
  const made = await api('POST', '/sandboxes', {});
  if (made.status !== 201) throw new Error(`POST /sandboxes answered ${made.status}`);
  for (;;) {
    const r = await api('POST', `/sandboxes/${made.body.id}/exec`, { command: ['true'] });
    if (r.status === 200 && r.body.exit_code === 0) return { ms: now() - t0, id: made.body.id };
  }
}

const results = { handStart: [], serverStart: [], handExec: [], serverExec: [] };
try {
  for (let i = 0; i < runs; i++) {
    const name = `bench-hand-${process.pid}-${i}`;
    let sandbox;
    // alternate who goes first, so warm caches favour neither
    if (i % 2 === 0) {
      results.handStart.push(await handStart(name));
      sandbox = await serverStart();
    } else {
      sandbox = await serverStart();
      results.handStart.push(await handStart(name));
    }
    results.serverStart.push(sandbox.ms);
    for (let j = 0; j < execs / runs; j++) {
      let t0 = now();
      await podman(['exec', name, 'true']);
      results.handExec.push(now() - t0);
      t0 = now();
      const r = await api('POST', `/sandboxes/${sandbox.id}/exec`, { command: ['true'] });
      if (r.body.exit_code !== 0) throw new Error('exec true failed');
      results.serverExec.push(now() - t0);
    }
    await podman(['rm', '-f', '-t', '0', name]);
    await api('DELETE', `/sandboxes/${sandbox.id}`);
  }
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => server.once('exit', r));
  fs.rmSync(coord, { recursive: true, force: true });
}

const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]));
const report = {
  runtime: o.runtime,
  backend: slurmOci ? o.backend : undefined,
  runs,
  execs: results.serverExec.length,
  median_ms: Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v * 10) / 10])),
  ratio: { start: Math.round((m.serverStart / m.handStart) * 100) / 100, exec: Math.round((m.serverExec / m.handExec) * 100) / 100 },
};
if (o.json) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`runtime ${o.runtime}${report.backend ? ` (backend ${report.backend})` : ''}, ${runs} starts, ${report.execs} execs each way`);
  console.log(`start to first exec: server ${report.median_ms.serverStart} ms, by hand ${report.median_ms.handStart} ms, ratio ${report.ratio.start}`);
  console.log(`exec true round trip: server ${report.median_ms.serverExec} ms, by hand ${report.median_ms.handExec} ms, ratio ${report.ratio.exec}`);
}
