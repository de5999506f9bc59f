// The state store's own guarantees: records are replaced atomically and private.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { Store, type ContainerRecord } from '../../src/runtime/store.js';

test('save replaces the record by renaming a complete file into place, mode 0600, leaving no temporary file', () => {
  const store = new Store(fs.mkdtempSync(path.join(os.tmpdir(), 'rt-store-')));
  const dir = store.claim('c1');
  const record = {
    id: 'c1',
    backend: 'crun',
    binary: '/bin/true',
    backendRoot: '/x',
    bundle: '/b',
    rootfs: '/b/r',
    ociVersion: '1.0.2',
    annotations: {},
    created: '',
  } satisfies ContainerRecord;
  store.save(record);
  const first = fs.statSync(path.join(dir, 'record.json'));
  store.save({ ...record, bundle: '/other' });
  const second = fs.statSync(path.join(dir, 'record.json'));
  expect(second.ino).not.toBe(first.ino);
  expect(second.mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(dir)).toEqual(['record.json']);
  expect(store.load('c1').bundle).toBe('/other');
  expect(fs.statSync(store.root).mode & 0o777).toBe(0o700);
});
