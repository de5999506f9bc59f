// Stops the cluster instance unless TESTBED_KEEP=1 (to inspect it after a failure).
const { testbed } = require('./global-setup.cjs');

module.exports = function teardown() {
  if (process.env.TESTBED_KEEP !== '1') testbed('down');
};
