// The registry's bookkeeping where timing matters: an engine snapshot taken before a container
// started must not mark that container as dead.
import { expect, test } from '@jest/globals';
import type { ContainerState } from '../../src/sandbox/driver.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from '../../src/sandbox/pool.js';
import { Sandboxes } from '../../src/sandbox/sandboxes.js';
import { FakeDriver } from './fake-driver.js';

// A driver whose `podman ps` answer arrives late (taken at the call, delivered on open()).
class SlowStates extends FakeDriver {
  open!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.open = resolve));
  override async states(): Promise<Map<string, ContainerState>> {
    const snapshot = await super.states();
    await this.gate;
    return snapshot;
  }
}

const options = () => ({
  prefix: 'p',
  defaultImage: 'img',
  defaultTimeoutMs: 1000,
  maxOutputBytes: 100,
  maxExecsPerSandbox: 2,
  workDir: fs.mkdtempSync(path.join(os.tmpdir(), 'sandboxes-test-')),
  hostNetwork: true,
  publicHost: 'localhost',
  startTimeoutMs: 1000,
});

test('a status snapshot older than a start does not report the new sandbox as gone', async () => {
  const driver = new SlowStates();
  const sandboxes = new Sandboxes(driver, new Pool(2, 1000), options());
  const refreshing = sandboxes.refresh();
  await new Promise((r) => setTimeout(r, 5));
  const s = await sandboxes.create({});
  driver.open();
  await refreshing;
  expect(s.status).toBe('running');
  driver.kill(s.container);
  await sandboxes.refresh();
  expect(s).toMatchObject({ status: 'exited', exitCode: 137 });
  expect(sandboxes.slots.used).toBe(0);
  await sandboxes.shutdown();
});

test('only the last 1000 stopped sandboxes stay known', async () => {
  const sandboxes = new Sandboxes(new FakeDriver(), new Pool(1, 1000), options());
  const ids: string[] = [];
  for (let i = 0; i < 1003; i++) {
    const s = await sandboxes.create({ command: ['true'] });
    ids.push(s.id);
    await sandboxes.stop(s.id, 'done');
  }
  expect(ids.slice(0, 3).map((id) => sandboxes.find(id))).toEqual([undefined, undefined, undefined]);
  expect(sandboxes.find(ids[3]!)?.status).toBe('stopped');
  expect(sandboxes.list()).toEqual([]);
});
