// `docker run` through slurm-oci-runtime's scrun backend against Docker with plain scrun as its
// runtime (the containers page's set-up), in one rootless dockerd (both runtimes registered), as an
// ordinary user inside the test cluster: `node bench/run.mjs docker` (root sets up oci.conf and
// scrun.lua first: bench/docker.setup.sh). Rounds interleave the two; each variant's median, and
// runs that failed or hung (bare scrun sometimes never returns), are printed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fmt, median } from './lib.mjs';

const ROUNDS = Number(process.env.ROUNDS || 10);
const xdg = process.env.XDG_RUNTIME_DIR;
const conf = path.join(process.env.HOME, 'bench-docker');
const sh = (script, env = process.env) => {
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout;
};
const env = { ...process.env, DOCKER_HOST: `unix://${xdg}/docker.sock` };

// the generated set-up, plus bare scrun as a second runtime of the same daemon
sh(
  `rm -rf ${conf} && /project/bin/slurm-oci generate docker-daemon --config-dir ${conf} --runtime slurm-oci-runtime >/dev/null`,
);
const daemonJson = path.join(conf, 'docker/daemon.json');
const config = JSON.parse(fs.readFileSync(daemonJson, 'utf8'));
config.runtimes.scrun = { path: '/usr/bin/scrun' };
fs.writeFileSync(daemonJson, JSON.stringify(config, null, 2));
const pid = sh(`export XDG_CONFIG_HOME=${conf} PATH=/usr/share/docker.io/contrib:/usr/sbin:$PATH SLURM_OCI_BACKEND=scrun
  for kv in $(sed -n 's/^Environment="\\(.*\\)"$/\\1/p' ${conf}/systemd/user/docker.service.d/override.conf); do export "$kv"; done
  setsid dockerd-rootless.sh >/tmp/bench-dockerd.log 2>&1 </dev/null & echo $!`).trim();
try {
  sh('for i in $(seq 60); do docker info >/dev/null 2>&1 && exit 0; sleep 0.5; done; exit 1', env);
  sh('docker import /srv/busybox.tar busybox >/dev/null', env);
  const flags = [
    '--rm',
    '--security-opt',
    'label=disable',
    '--security-opt',
    'seccomp=unconfined',
    '--security-opt',
    'apparmor=unconfined',
    '--net=none',
  ];
  const variants = { 'slurm-oci-runtime (scrun backend)': 'slurm', 'bare scrun': 'scrun' };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const lost = Object.fromEntries(Object.keys(variants).map((k) => [k, 0]));
  for (let round = -1; round < ROUNDS; round++) {
    for (const [name, rt] of Object.entries(variants)) {
      const t0 = process.hrtime.bigint();
      const r = spawnSync('docker', ['run', '--runtime', rt, ...flags, 'busybox', 'true'], {
        env,
        stdio: 'ignore',
        // docker run passes SIGTERM on to the container, which a hung bare-scrun run never ends
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (round < 0) continue; // warm-up
      if (r.status === 0) times[name].push(ms);
      else lost[name]++;
      // a hung bare-scrun run leaves its anchor spinning on a CPU and its job: clear both before the next round
      if (r.status !== 0) {
        spawnSync('pkill', ['-KILL', '-f', '^scrun: ']);
        spawnSync('scancel', ['-u', process.env.USER]);
      }
    }
  }
  const ours = median(times['slurm-oci-runtime (scrun backend)']);
  const bare = median(times['bare scrun']);
  for (const name of Object.keys(variants))
    console.log(
      `${name}: median ${fmt(median(times[name]))} over ${times[name].length} runs (${lost[name]} failed or hung)`,
    );
  console.log(`ratio ${(ours / bare).toFixed(2)} (slurm-oci-runtime / bare scrun)`);
} finally {
  spawnSync('kill', [pid]);
}
