// Checks run concurrently and always finish: a hung check and a throwing check become failures.
import { expect, test } from '@jest/globals';
import { runChecks } from '../../src/doctor/run.js';
import { Host } from '../../src/doctor/host.js';
import { ok, type Check } from '../../src/doctor/check.js';

test('results keep the checks order; a hung check fails with a fix, a throwing one fails too', async () => {
  const checks: Check[] = [
    { name: 'hangs', run: () => new Promise(() => {}) },
    {
      name: 'throws',
      run: async () => {
        throw new Error('boom');
      },
    },
    { name: 'fine', run: async () => ok('all good') },
  ];
  const results = await runChecks(checks, new Host(50));
  expect(results.map((r) => [r.name, r.status])).toEqual([
    ['hangs', 'fail'],
    ['throws', 'fail'],
    ['fine', 'ok'],
  ]);
  expect(results[0].detail).toMatch(/did not finish/);
  expect(results[0].fix).toBeTruthy();
  expect(results[1].detail).toMatch(/boom/);
});
