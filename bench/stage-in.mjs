// Stage-in benchmark, on the real cluster of test/cluster/testbed (run as root; `npm run build` first):
//  1. stage-in time of a ~1 GB rootfs with each staging mode of the generated scrun.lua against the
//     man page's whole-rootfs rsync (bench/man-page-baseline.lua), all in one run, scratch on the
//     bundle's filesystem, page cache warm, median of REPS runs; the script runs under Lua 5.1
//     through the stand-in `slurm` table of the tests (it runs the commands for real);
//  2. container start through scrun (rootless Podman, busybox) with the default generated
//     scrun.lua against the baseline script, runs interleaved.
// Prints ratios against the baseline. TESTBED_NAME (default bench-stage-in) names the instance;
// it is started when down and stopped again at the end. REPS (default 5), STARTS (default 5);
// ONLY=stage-in or ONLY=start runs one part.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const testbed = path.join(repo, 'test/cluster/testbed');
const env = { ...process.env, TESTBED_NAME: process.env.TESTBED_NAME ?? 'bench-stage-in', TESTBED_BIND: repo };
const reps = Number(process.env.REPS ?? 5);
const starts = Number(process.env.STARTS ?? 5);
const cli = '/project/bin/slurm-oci';
const standIn = '/project/test/fixtures/scrun-lua/stand-in.lua';
const bench = '/home/alice/bench';

// Runs a shell script inside the cluster (as alice unless root), returns stdout; throws on failure.
async function sh(script, { root = false, timeout = 600_000 } = {}) {
  const r = await execa(testbed, [root ? 'exec' : 'user', 'sh', '-c', script], { env, reject: false, timeout });
  if (r.exitCode !== 0) throw new Error(`failed (${r.exitCode}): ${script.slice(0, 200)}\n${r.stderr}\n${r.stdout}`);
  return String(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const progress = (text) => process.stderr.write(`${text}\n`);

// Times one shell command inside the cluster, in ms (clock read inside, so nsenter is not counted).
async function timed(script, options) {
  const out = await sh(
    `s=$(date +%s%N); ${script}; rc=$?; e=$(date +%s%N); echo "ms=$(( (e - s) / 1000000 )) rc=$rc"`,
    options,
  );
  const m = /ms=(\d+) rc=(\d+)\s*$/.exec(out);
  return { ms: Number(m[1]), rc: Number(m[2]) };
}

async function makeRootfs() {
  progress('making a ~1 GB rootfs (busybox + 10000 files of 4 KiB + 480 of 2 MiB)');
  await sh(`set -e; rm -rf ${bench}; mkdir -p ${bench}/bundle/rootfs; cp -a /srv/busybox/rootfs/. ${bench}/bundle/rootfs/
cd ${bench}/bundle && crun spec --rootless && sed -i 's/"terminal": true/"terminal": false/' config.json
node -e '
const fs = require("fs"), crypto = require("crypto");
const root = process.argv[1];
for (let d = 0; d < 100; d++) {
  fs.mkdirSync(root + "/usr/share/small/" + d, { recursive: true });
  for (let f = 0; f < 100; f++) fs.writeFileSync(root + "/usr/share/small/" + d + "/" + f, crypto.randomBytes(4096));
}
fs.mkdirSync(root + "/usr/lib/big", { recursive: true });
for (let f = 0; f < 480; f++) fs.writeFileSync(root + "/usr/lib/big/" + f + ".so", crypto.randomBytes(2 << 20));
' ${bench}/bundle/rootfs; du -sh ${bench}/bundle/rootfs`);
}

// The variants: [label, script path, extra environment].
async function scripts() {
  const scratch = `${bench}/scratch-%U`;
  const variants = [
    ['man page (rsync of the rootfs)', '/project/bench/man-page-baseline.lua', `BASELINE_SCRATCH=${bench}/mp/`],
    ['copy (cp --reflink=auto)', `${bench}/copy-cp.lua`, ''],
    ['copy (rsync)', `${bench}/copy-rsync.lua`, ''],
    ['hardlink', `${bench}/hardlink.lua`, ''],
    ['none (shared filesystem)', `${bench}/none.lua`, ''],
  ];
  await sh(`set -e
${cli} generate scrun-lua --staging copy --copy-tool cp --scratch-dir '${scratch}' --force -o ${bench}/copy-cp.lua
${cli} generate scrun-lua --staging copy --copy-tool rsync --scratch-dir '${scratch}' --force -o ${bench}/copy-rsync.lua
${cli} generate scrun-lua --staging hardlink --scratch-dir '${scratch}' --force -o ${bench}/hardlink.lua
${cli} generate scrun-lua --staging none --scratch-dir '${scratch}' --force -o ${bench}/none.lua`);
  return variants;
}

async function stageInBench() {
  await makeRootfs();
  const variants = await scripts();
  // warm the page cache once so no variant pays for the first read
  await sh(`find ${bench}/bundle/rootfs -type f -exec cat {} + > /dev/null`);
  // rounds visit every variant once, so load from elsewhere on the machine hits all of them alike
  const times = variants.map(() => []);
  for (let i = 0; i < reps; i++) {
    for (const [v, [label, script, extra]] of variants.entries()) {
      const run = await timed(
        `env ${extra} STAND_IN_SKIP_OUT=1 lua5.1 ${standIn} ${script} b${i} ${bench}/bundle 1000 1000 > ${bench}/last.log 2>&1`,
      );
      const log = await sh(`cat ${bench}/last.log; rm -rf ${bench}/scratch-1000 ${bench}/mp; sync`);
      if (run.rc !== 0 || !/^IN 0$/m.test(log)) throw new Error(`${label} stage-in failed:\n${log}`);
      times[v].push(run.ms);
    }
    progress(`  round ${i + 1}: ${times.map((t) => t.at(-1)).join(', ')} ms`);
  }
  const results = variants.map(([label], v) => ({ label, ms: median(times[v]) }));
  const base = results[0].ms;
  console.log(
    `stage-in of ${(await sh(`du -sh ${bench}/bundle/rootfs | cut -f1`)).trim()} rootfs (median of ${reps}; Lua 5.1 stand-in, scratch on the bundle's filesystem)`,
  );
  for (const r of results)
    console.log(
      `  ${r.label.padEnd(32)} ${String(r.ms).padStart(6)} ms   ${(base / Math.max(r.ms, 1)).toFixed(1)}x faster than the man page`,
    );
}

async function startBench() {
  progress('container start through scrun: default scrun.lua vs the man page baseline');
  await sh(
    `set -e
cp /project/test/fixtures/scrun-lua/oci.conf /etc/slurm/oci.conf
${cli} generate scrun-lua -o /etc/slurm/scrun-default.lua
cp /project/bench/man-page-baseline.lua /etc/slurm/scrun-baseline.lua
scontrol reconfigure`,
    { root: true },
  );
  const d = `${bench}/podman`;
  await sh(`set -e; rm -rf ${d}; mkdir -p ${d} $XDG_RUNTIME_DIR/bench-podman
printf '[containers]\\nnetns = "host"\\n[engine]\\nruntime = "slurm"\\ncgroup_manager = "cgroupfs"\\nevents_logger = "file"\\nstatic_dir = "${d}/static"\\ntmp_dir = "/run/user/1000/bench-podman/tmp"\\n[engine.runtimes]\\nslurm = ["/usr/bin/scrun"]\\n' > ${d}/containers.conf
printf '[storage]\\ndriver = "vfs"\\ngraphroot = "${d}/graph"\\nrunroot = "/run/user/1000/bench-podman/run"\\n' > ${d}/storage.conf
export CONTAINERS_CONF=${d}/containers.conf CONTAINERS_STORAGE_CONF=${d}/storage.conf; podman import -q /srv/busybox.tar localhost/busybox >/dev/null`);
  const podman = `export CONTAINERS_CONF=${d}/containers.conf CONTAINERS_STORAGE_CONF=${d}/storage.conf; timeout -k 5 30 podman run --rm localhost/busybox true > ${bench}/start.log 2>&1`;
  const variants = { 'default scrun.lua': 'scrun-default.lua', 'man page baseline': 'scrun-baseline.lua' };
  const times = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  const hangs = Object.fromEntries(Object.keys(variants).map((k) => [k, 0]));
  for (let i = 0; i <= starts; i++) {
    for (const [label, file] of Object.entries(variants)) {
      await sh(`cp /etc/slurm/${file} /etc/slurm/scrun.lua`, { root: true });
      const run = await timed(podman);
      // a stuck scrun anchor spins on a CPU and may hold the node: end it and its job (scrun hangs
      // now and then, with any scrun.lua)
      await sh(`for p in $(pgrep -u alice -f '^scrun: '); do kill -9 "$p"; done; scancel -u alice; true`, {
        root: true,
      });
      if (i === 0) continue; // warm-up
      if (run.rc === 0) times[label].push(run.ms);
      else hangs[label]++;
    }
  }
  const base = median(times['man page baseline']);
  console.log(
    `container start through scrun (podman run --rm busybox true; median of ${starts} runs each, interleaved; runs that hung left out)`,
  );
  for (const label of Object.keys(variants)) {
    const m = median(times[label]);
    console.log(
      `  ${label.padEnd(32)} ${String(m).padStart(6)} ms   ${(base / m).toFixed(2)}x the baseline's speed   (${times[label].join(', ')}; ${hangs[label]} hung)`,
    );
  }
}

const status = await execa(testbed, ['status'], { env, reject: false });
const started = status.exitCode !== 0;
if (started) await execa(testbed, ['up'], { env, stdio: 'inherit' });
try {
  if (process.env.ONLY !== 'start') await stageInBench();
  if (process.env.ONLY !== 'stage-in') await startBench();
} finally {
  if (started) await execa(testbed, ['down'], { env, stdio: 'inherit' });
}
