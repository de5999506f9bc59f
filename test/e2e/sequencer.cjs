// Runs the end-to-end files in one fixed order, so every CI run meets the same cluster state: the
// order of a fully green run. Files leave state behind that later ones trip over: `check oci-conf`
// failed twice after the workflow, runtime and scrun.lua files; the runtime's scrun tests failed
// after host-config, whose bare-scrun runs may leave a stuck anchor spinning on a CPU.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = [
  'oci-conf',
  'scrun-lua',
  'workflow',
  'runtime',
  'sandbox',
  'host-config',
  'doctor',
  'cluster',
  'podman',
  'docker',
  'multinode',
  'pool',
];
const rank = (test) => {
  const i = ORDER.indexOf(
    require('node:path')
      .basename(test.path)
      .replace(/\.test\.ts$/, ''),
  );
  return i < 0 ? ORDER.length : i;
};

module.exports = class FixedOrder extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a) - rank(b));
  }
};
