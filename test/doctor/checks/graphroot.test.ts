// Graphroot: a shared filesystem fails, overlay through scrun fails, vfs on local disk is ok.
// The NFS case uses a stand-in filesystem type (no NFS mount on a test machine).
import { expect, test } from '@jest/globals';
import { judgeGraphroot } from '../../../src/doctor/checks/graphroot.js';
import { fsKindOfMagic } from '../../../src/host-config/fs-type.js';

const info = (driver: string, runtime: string) => ({
  host: { ociRuntime: { path: runtime } },
  store: { graphRoot: '/g', graphDriverName: driver },
});
const ext4 = { checked: '/g', ...fsKindOfMagic(0xef53) };

test('statuses', () => {
  expect(judgeGraphroot(info('vfs', '/usr/bin/scrun'), { checked: '/g', ...fsKindOfMagic(0x6969) })).toMatchObject({
    status: 'fail',
    detail: expect.stringContaining('nfs'),
  });
  expect(judgeGraphroot(info('overlay', '/usr/bin/scrun'), ext4)).toMatchObject({
    status: 'fail',
    fix: expect.stringContaining('generate storage-conf'),
  });
  expect(judgeGraphroot(info('overlay', '/usr/bin/crun'), ext4).status).toBe('ok');
  expect(judgeGraphroot(info('vfs', '/usr/bin/scrun'), ext4)).toMatchObject({
    status: 'ok',
    detail: 'graphroot /g on ext4, driver vfs',
  });
});
