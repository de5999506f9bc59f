// slurm-oci-runtime's cost over the backend it wraps (issue 2), measured in one run inside the
// test cluster as an ordinary user:
//  1. `slurm-oci-runtime state ID` (crun backend) vs `node -e 0` + `crun state ID`: target ≤ 1.3,
//     for the Node CLI (bin/, every call a Node start) and the native front (dist/, warm server)
//  2. `podman run --rm busybox true` with runtime slurm-oci-runtime (crun) vs crun itself: ≤ 1.15,
//     through the native front (what generated host configs use) and, for reference, the Node CLI
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fmt, interleaved, podmanStore, timeRun } from './lib.mjs';

const runtime = '/project/bin/slurm-oci-runtime';
const front = '/project/dist/slurm-oci-runtime';
const xdg = process.env.XDG_RUNTIME_DIR;
const sh = (script) => {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${script}: ${r.stderr}`);
  return r.stdout;
};

// 1. state
const bundle = '/tmp/bench-bundle';
sh(
  `rm -rf ${bundle} && mkdir -p ${bundle} && cp /srv/busybox/config.json ${bundle}/ && ln -s /srv/busybox/rootfs ${bundle}/rootfs`,
);
// the created container holds the runtime's stdio (as with runc): give it none, or sh never returns
spawnSync(runtime, ['delete', '--force', 'bench1']);
if (spawnSync(runtime, ['--backend', 'crun', 'create', '-b', bundle, 'bench1'], { stdio: 'ignore' }).status !== 0) {
  throw new Error('create failed');
}
const crunRoot = path.join(xdg, 'slurm-oci/backends/crun');
const state = interleaved(
  {
    runtime: () => timeRun([runtime, 'state', 'bench1']),
    front: () => timeRun([front, 'state', 'bench1']),
    node: () => timeRun(['node', '-e', '0']),
    crun: () => timeRun(['crun', '--root', crunRoot, 'state', 'bench1']),
  },
  40,
);
sh(`${runtime} delete --force bench1`);
const stateRatio = state.runtime / (state.node + state.crun);
const frontStateRatio = state.front / (state.node + state.crun);
console.log(
  `state: Node CLI ${fmt(state.runtime)}, native front ${fmt(state.front)}; node -e 0 ${fmt(state.node)} + crun state ${fmt(state.crun)}`,
);
console.log(`  ratio ${stateRatio.toFixed(2)} (CLI), ${frontStateRatio.toFixed(2)} (front) (target <= 1.30)`);

// 2. podman run, through our runtime on crun vs crun directly
const confs = {};
for (const [name, rt] of [
  ['front', front],
  ['cli', runtime],
  ['crun', '/usr/bin/crun'],
]) {
  confs[name] = { ...podmanStore(`bench-podman-${name}`, { runtime: rt }), SLURM_OCI_BACKEND: 'crun' };
}
const run = (name) => () => timeRun(['podman', 'run', '--rm', 'localhost/busybox', 'true'], { env: confs[name] });
const podman = interleaved({ front: run('front'), cli: run('cli'), crun: run('crun') }, 15);
const podmanRatio = podman.front / podman.crun;
console.log(
  `podman run --rm busybox true: via the native front ${fmt(podman.front)}, via the Node CLI ${fmt(podman.cli)}; crun directly ${fmt(podman.crun)}`,
);
console.log(
  `  ratio ${podmanRatio.toFixed(2)} (front, target <= 1.15), ${(podman.cli / podman.crun).toFixed(2)} (CLI)`,
);
process.exitCode = stateRatio <= 1.3 && frontStateRatio <= 1.3 && podmanRatio <= 1.15 ? 0 : 1;
