// Runs benchmarks inside a fresh test cluster (test/cluster/testbed, as root on the host):
// `node bench/run.mjs [NAME...]` runs bench/NAME.mjs as user alice inside, default: runtime, scrun
// and sandbox (scrun is turned on first, with the e2e suite's oci.conf and scrun.lua); bench/NAME.setup.sh,
// when there is one, runs as root inside first. (bench/stage-in.mjs drives its own cluster from the
// host: `node bench/stage-in.mjs`.)
// NODE_EXTRA_CA_CERTS is removed: it triples Node 20's start-up and would swamp every ratio.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const names = process.argv.slice(2).length ? process.argv.slice(2) : ['runtime', 'scrun', 'sandbox'];
const env = { ...process.env, TESTBED_NAME: process.env.TESTBED_NAME || 'bench', TESTBED_BIND: repo };
delete env.NODE_EXTRA_CA_CERTS;
const testbed = (...args) => spawnSync(path.join(repo, 'test/cluster/testbed'), args, { stdio: 'inherit', env });

if (testbed('down').status !== 0 || testbed('up').status !== 0) process.exit(1);
const fixtures = '/project/test/fixtures/scrun';
const scrunOn = testbed(
  'exec',
  'sh',
  '-c',
  `cp ${fixtures}/run-mode-crun.oci.conf /etc/slurm/oci.conf && cp ${fixtures}/pass-through.scrun.lua /etc/slurm/scrun.lua && scontrol reconfigure`,
);
if (scrunOn.status !== 0) process.exit(1);
// the benchmarks' own settings (BENCH_ROUNDS, BENCH_SOAK) reach the user's environment inside
const passOn = Object.keys(process.env)
  .filter((k) => k.startsWith('BENCH_'))
  .map((k) => `${k}=${process.env[k]}`);
let failed = 0;
try {
  for (const name of names) {
    console.log(`\n== bench/${name}.mjs`);
    if (
      fs.existsSync(path.join(repo, `bench/${name}.setup.sh`)) &&
      testbed('exec', `/project/bench/${name}.setup.sh`).status !== 0
    ) {
      failed++;
      continue;
    }
    failed +=
      testbed('user', 'env', '-u', 'NODE_EXTRA_CA_CERTS', ...passOn, 'node', `/project/bench/${name}.mjs`).status === 0
        ? 0
        : 1;
  }
} finally {
  if (process.env.TESTBED_KEEP !== '1') testbed('down');
}
process.exit(failed ? 1 : 0);
