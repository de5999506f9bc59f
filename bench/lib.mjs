// Helpers for the benchmarks: wall time of a command, interleaved rounds, medians, a Podman store of their own.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Wall time of one run of ARGV in milliseconds; throws if it fails.
export function timeRun(argv, options = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', ...options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// The Q-quantile of XS (nearest rank): quantile(xs, 0.95) is the p95.
export const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

// Runs every case ROUNDS times, interleaved (so drift hits all alike), after one warm-up each;
// returns the median per case name.
export function interleaved(cases, rounds) {
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (const run of Object.values(cases)) run();
  for (let i = 0; i < rounds; i++) for (const [name, run] of Object.entries(cases)) times[name].push(run());
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

export const fmt = (ms) => `${ms.toFixed(1)} ms`;

// The environment of a fresh Podman store and configuration of its own, under ~/NAME and
// $XDG_RUNTIME_DIR/NAME (vfs, host network, file events), so a benchmark touches nothing else of the
// account; with RUNTIME, Podman's runtime `slurm` is that program. localhost/busybox is in it.
export function podmanStore(name, { runtime } = {}) {
  const home = path.join(os.homedir(), name);
  const runDir = path.join(process.env.XDG_RUNTIME_DIR ?? os.tmpdir(), name);
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(runDir, { recursive: true });
  const engine = runtime ? `runtime = "slurm"\n` : '';
  const runtimes = runtime ? `[engine.runtimes]\nslurm = ["${runtime}"]\n` : '';
  fs.writeFileSync(
    path.join(home, 'containers.conf'),
    `[containers]\nnetns = "host"\n[engine]\n${engine}cgroup_manager = "cgroupfs"\nevents_logger = "file"\n` +
      `static_dir = "${home}/static"\ntmp_dir = "${runDir}/tmp"\n${runtimes}`,
  );
  fs.writeFileSync(
    path.join(home, 'storage.conf'),
    `[storage]\ndriver = "vfs"\ngraphroot = "${home}/graph"\nrootless_storage_path = "${home}/graph"\nrunroot = "${runDir}/run"\n`,
  );
  const env = {
    ...process.env,
    CONTAINERS_CONF: `${home}/containers.conf`,
    CONTAINERS_STORAGE_CONF: `${home}/storage.conf`,
  };
  const imported = spawnSync('podman', ['import', '-q', '/srv/busybox.tar', 'localhost/busybox'], {
    env,
    encoding: 'utf8',
  });
  if (imported.status !== 0) throw new Error(`podman import: ${imported.stderr}`);
  return env;
}
