// The scrun container's files and state machine, on a real directory: the phases it allows, and the
// anchor's pid file as scrun leaves it (written once created, removed or emptied once stopped).
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import type { ScrunContainer } from '../../../src/runtime/scrun/container.js';
import { createdContainer } from './fake-host.js';

let dir: string;
let container: ScrunContainer;

beforeEach(() => {
  container = createdContainer('rt-container-');
  dir = container.dir;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('phases move only along the machine, and facts are kept', () => {
  expect(container.read()).toMatchObject({ phase: 'created', supervisor: { pid: process.pid } });
  container.transition('start-requested');
  container.transition('running', { anchor: { pid: 42 } });
  container.note({ jobId: 7 });
  expect(() => container.transition('created')).toThrow(/no transition running → created/);
  expect(container.transition('exited', { exitCode: 3 })).toMatchObject({
    phase: 'exited',
    anchor: { pid: 42 },
    jobId: 7,
  });
  expect(() => container.transition('failed')).toThrow(/no transition exited → failed/);
});

test("the anchor's pid: none before scrun writes it, none once it is removed or emptied", () => {
  expect(container.anchorPid()).toBeUndefined();
  fs.writeFileSync(container.anchorPidFile, '1234\n');
  expect(container.anchorPid()).toBe(1234);
  fs.truncateSync(container.anchorPidFile, 0);
  expect(container.anchorPid()).toBeUndefined();
  fs.writeFileSync(container.anchorPidFile, '1234');
  container.clearAnchorPid();
  expect(container.anchorPid()).toBeUndefined();
  expect(fs.existsSync(container.anchorPidFile)).toBe(false);
});

test('watch calls back when the anchor removes its pid file, and stops when told', async () => {
  fs.writeFileSync(container.anchorPidFile, '1234');
  let calls = 0;
  const removed = new Promise<void>((resolve) => {
    const unwatch = container.watch(() => {
      calls++;
      if (container.anchorPid() === undefined) {
        unwatch();
        resolve();
      }
    });
  });
  fs.rmSync(container.anchorPidFile);
  await removed;
  const seen = calls;
  fs.writeFileSync(path.join(dir, 'other'), 'x');
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(calls).toBe(seen);
});
