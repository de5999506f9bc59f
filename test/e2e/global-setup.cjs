// Starts a fresh cluster instance (a clean copy of the testbed root) with the repo at /project.
// Plain CommonJS: jest loads global hooks outside its ESM and module-mapping machinery.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const repo = path.resolve(__dirname, '../..');

// Runs `test/cluster/testbed COMMAND` for this suite's instance, or throws.
function testbed(command) {
  const r = spawnSync(path.join(repo, 'test/cluster/testbed'), [command], {
    stdio: 'inherit',
    env: { ...process.env, TESTBED_NAME: process.env.TESTBED_NAME || 'e2e', TESTBED_BIND: repo },
  });
  if (r.status !== 0) throw new Error(`test/cluster/testbed ${command} failed (exit ${r.status})`);
}

module.exports = function setup() {
  if (process.getuid() !== 0) throw new Error('the end-to-end suite needs root (it starts a Slurm cluster)');
  testbed('down');
  testbed('up');
};
module.exports.testbed = testbed;
