// Runs the end-to-end files in one fixed order, so every CI run meets the same cluster state.
// (In one shared cluster, `check oci-conf` failed twice when it ran after the workflow, runtime and
// scrun.lua files and never when it ran first; the cause is not found yet.)
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['cluster', 'podman', 'oci-conf', 'doctor', 'host-config', 'runtime', 'scrun-lua', 'sandbox', 'workflow'];
const rank = (test) => {
  const i = ORDER.indexOf(require('node:path').basename(test.path).replace(/\.test\.ts$/, ''));
  return i < 0 ? ORDER.length : i;
};

module.exports = class FixedOrder extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a) - rank(b));
  }
};
