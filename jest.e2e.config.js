// End-to-end suite: runs as root against the real cluster in test/cluster/testbed.
import base from './jest.config.js';

export default {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testPathIgnorePatterns: [],
  globalSetup: '<rootDir>/test/e2e/global-setup.cjs',
  globalTeardown: '<rootDir>/test/e2e/global-teardown.cjs',
  testSequencer: '<rootDir>/test/e2e/sequencer.cjs',
  testTimeout: 600_000,
};
