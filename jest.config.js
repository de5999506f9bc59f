// Unit tests: no root, no cluster. They mirror src/ under test/ (test/e2e is the cluster suite).
export default {
  testEnvironment: 'node',
  // signal-exit (under execa) keeps one emitter on globalThis per process; jest's soft deletion of
  // globals between files makes its setter recurse until the stack overflows.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/test'],
  testPathIgnorePatterns: ['/test/e2e/'],
  // many tests start the CLI (a Node start-up each): 5 s was too short on a loaded CI machine
  testTimeout: 30_000,
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
};
