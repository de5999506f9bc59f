// Runs benchmarks inside a fresh test cluster (test/cluster/testbed, as root on the host):
// `node bench/run.mjs [NAME...]` runs bench/NAME.mjs as user alice inside, default: all of them.
// NODE_EXTRA_CA_CERTS is removed: it triples Node 20's start-up and would swamp every ratio.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const names = process.argv.slice(2).length
  ? process.argv.slice(2)
  : fs.readdirSync(path.join(repo, 'bench')).filter((f) => f.endsWith('.mjs') && f !== 'run.mjs').map((f) => f.slice(0, -4));
const env = { ...process.env, TESTBED_NAME: process.env.TESTBED_NAME || 'bench', TESTBED_BIND: repo };
delete env.NODE_EXTRA_CA_CERTS;
const testbed = (...args) => spawnSync(path.join(repo, 'test/cluster/testbed'), args, { stdio: 'inherit', env });

if (testbed('down').status !== 0 || testbed('up').status !== 0) process.exit(1);
let failed = 0;
try {
  for (const name of names) {
    console.log(`\n== bench/${name}.mjs`);
    failed += testbed('user', 'env', '-u', 'NODE_EXTRA_CA_CERTS', 'node', `/project/bench/${name}.mjs`).status === 0 ? 0 : 1;
  }
} finally {
  if (process.env.TESTBED_KEEP !== '1') testbed('down');
}
process.exit(failed ? 1 : 0);
