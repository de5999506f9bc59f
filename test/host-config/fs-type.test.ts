// Filesystem type detection and the shared-filesystem refusal. The NFS case uses a stand-in statfs
// result (there is no NFS mount on a test machine); the local case uses the real statfs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { assertLocalDisk, fsTypeOf } from '../../src/host-config/fs-type.js';

const nfs = () => ({ type: 0x6969 });

test('a path that does not exist yet is judged by its nearest existing parent', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fstype-'));
  const t = fsTypeOf(path.join(dir, 'not/yet/there'));
  expect(t.checked).toBe(dir);
  expect(t.magic).toBe(fs.statfsSync(dir).type >>> 0);
});

test('NFS, Lustre and GPFS are shared; ext4 is not (stand-in statfs)', () => {
  expect(fsTypeOf('/', nfs)).toMatchObject({ name: 'nfs', shared: true });
  expect(fsTypeOf('/', () => ({ type: 0x0bd00bd0 }))).toMatchObject({ name: 'lustre', shared: true });
  expect(fsTypeOf('/', () => ({ type: 0x47504653 }))).toMatchObject({ name: 'gpfs', shared: true });
  expect(fsTypeOf('/', () => ({ type: 0xef53 }))).toMatchObject({ name: 'ext4', shared: false });
});

test('a graphroot on NFS is refused with a fix, unless forced (stand-in statfs)', () => {
  expect(() => assertLocalDisk('/home/alice/containers', false, '--graphroot', nfs)).toThrow(
    /on nfs .*shared filesystem/,
  );
  try {
    assertLocalDisk('/home/alice/containers', false, '--graphroot', nfs);
  } catch (error: any) {
    expect(error.hint).toMatch(/--graphroot a directory on local disk/);
  }
  expect(() => assertLocalDisk('/home/alice/containers', true, '--graphroot', nfs)).not.toThrow();
});
