// The scrun backend against bare scrun (issue 15), in one run inside the test cluster as an
// ordinary user: `podman run --rm busybox sh -c 'exit 7'` with runtime slurm-oci-runtime (native
// front, scrun backend) vs runtime scrun itself, interleaved. Bare scrun returns 0 for this
// container and sometimes hangs: its runs that finished are the baseline. Targets: median ≤ 1.15x,
// p95 ≤ 1.5x. `BENCH_ROUNDS=N` sets the rounds (default 20); `BENCH_SOAK=N` then runs N more
// containers through the scrun backend alone (exit codes 0..3) and reports hangs and wrong codes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fmt, median, podmanStore, quantile } from './lib.mjs';

const front = '/project/dist/slurm-oci-runtime';
// A run of `sh -c exit` that has not ended in 15 s has hung (the finished ones take well under 1 s).
const TIMEOUT_S = 15;

// A Podman store NAME whose runtime is RT, the scrun backend chosen.
const podmanEnv = (name, rt) => ({
  ...podmanStore(`bench-podman-${name}`, { runtime: rt }),
  SLURM_OCI_BACKEND: 'scrun',
});

// Waits (untimed) until the node is idle: it fits one job, and a job left COMPLETING by the
// previous run (bare scrun's, often) would otherwise bill its wait to the next one.
function idleNode() {
  for (let i = 0; i < 300; i++) {
    if (spawnSync('squeue', ['-h', '-t', 'PD,R,CG,CF', '-o', '%i'], { encoding: 'utf8' }).stdout.trim() === '') return;
    spawnSync('sleep', ['0.1']);
  }
}

// Ends what a hung run left: bare scrun's anchor spins on a CPU and keeps its job, which starved
// every run after it (both sides) on this 2-core machine.
function endHung(cidFile) {
  const id = fs.existsSync(cidFile) ? fs.readFileSync(cidFile, 'utf8').trim() : '';
  if (!/^\w+$/.test(id)) return;
  spawnSync('pkill', ['-KILL', '-f', `^scrun: ${id}`]);
  const jobs = spawnSync('squeue', ['-h', '-O', 'JobID:|,ContainerId:'], { encoding: 'utf8' }).stdout;
  for (const [job, cid] of jobs.split('\n').map((l) => l.split('|').map((x) => x.trim())))
    if (cid === id) spawnSync('scancel', [job]);
}

// One `podman run` of a container exiting CODE, on an idle node: wall time, exit status, whether it hung.
function podmanRun(env, code) {
  idleNode();
  const cidFile = path.join(os.tmpdir(), `bench-scrun-${process.pid}.cid`);
  fs.rmSync(cidFile, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    'timeout',
    [
      '-k',
      '5',
      String(TIMEOUT_S),
      'podman',
      'run',
      '--rm',
      '--cidfile',
      cidFile,
      'localhost/busybox',
      'sh',
      '-c',
      `exit ${code}`,
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const hung = ms >= TIMEOUT_S * 1000;
  if (hung) endHung(cidFile);
  return { ms, status: r.status, hung, stderr: r.stderr };
}

const ours = podmanEnv('scrun-ours', front);
const bare = podmanEnv('scrun-bare', '/usr/bin/scrun');
const rounds = Number(process.env.BENCH_ROUNDS || 20);
const times = { ours: [], bare: [] };
let bareHung = 0,
  bareZero = 0,
  oursWrong = 0;
podmanRun(ours, 7);
podmanRun(bare, 7);
for (let i = 0; i < rounds; i++) {
  const o = podmanRun(ours, 7);
  if (o.status !== 7)
    (oursWrong++, console.log(`  scrun backend run ${i}: exit ${o.status}: ${o.stderr.trim().slice(-300)}`));
  else times.ours.push(o.ms);
  const b = podmanRun(bare, 7);
  if (b.hung) bareHung++;
  else {
    if (b.status === 0) bareZero++;
    times.bare.push(b.ms);
  }
}
const ratio = (f) => f(times.ours) / f(times.bare);
const p95 = (xs) => quantile(xs, 0.95);
console.log(
  `podman run --rm busybox sh -c 'exit 7', ${rounds} rounds: scrun backend median ${fmt(median(times.ours))}, p95 ${fmt(p95(times.ours))} ` +
    `(${oursWrong} wrong or hung); bare scrun's finished runs median ${fmt(median(times.bare))}, p95 ${fmt(p95(times.bare))} ` +
    `(${bareHung} hung, ${bareZero} of ${times.bare.length} finished said 0)`,
);
console.log(
  `  ratio median ${ratio(median).toFixed(2)} (target <= 1.15), p95 ${ratio(p95).toFixed(2)} (target <= 1.5)`,
);
let ok = oursWrong === 0 && ratio(median) <= 1.15 && ratio(p95) <= 1.5;

const soak = Number(process.env.BENCH_SOAK || 0);
if (soak) {
  let hangs = 0,
    wrong = 0;
  for (let i = 0; i < soak; i++) {
    const r = podmanRun(ours, i % 4);
    if (r.hung) (hangs++, console.log(`  soak run ${i}: hung: ${r.stderr.trim().slice(-300)}`));
    else if (r.status !== i % 4)
      (wrong++, console.log(`  soak run ${i}: want ${i % 4}, got ${r.status}: ${r.stderr.trim().slice(-300)}`));
  }
  console.log(
    `soak: ${soak} runs through the scrun backend: ${hangs} hung, ${soak - hangs - wrong}/${soak} right exit codes`,
  );
  ok &&= hangs === 0 && wrong === 0;
}
process.exitCode = ok ? 0 : 1;
