// Which paths a Slurm job can see from inside rootless Docker's mount namespace, on the mount
// tables of a real rootless dockerd (Docker 26.1, rootlesskit 2) in the test cluster: inside, the
// table of its containerd; outside, that of rootlesskit's parent process.
import { expect, test } from '@jest/globals';
import { CliError } from '../../src/errors.js';
import {
  assertVisibleToSlurm,
  outsideMounts,
  outsidePath,
  parseMountinfo,
  type Io,
} from '../../src/runtime/scrun/visible-paths.js';

const INNER = `110 103 254:0 /var/tmp/slurm-oci-testbed/inst/dock/root / rw,relatime master:25 - ext4 /dev/vda rw
111 110 0:42 / /proc rw,relatime master:26 - proc proc rw
114 110 0:6 / /dev rw,relatime master:29 - devtmpfs devtmpfs rw,mode=755
115 114 0:23 / /dev/shm rw,relatime master:30 - tmpfs tmpfs rw
116 115 0:27 / /dev/shm rw,relatime master:31 - tmpfs tmpfs rw
125 110 0:46 / /run rw,relatime master:34 - tmpfs tmpfs rw
126 110 0:47 / /tmp rw,relatime master:35 - tmpfs tmpfs rw
127 110 254:0 /work/wt-docker /project rw,relatime master:36 - ext4 /dev/vda rw
128 129 254:0 /var/tmp/slurm-oci-testbed/inst/dock/root/etc /etc/.ro3923261094 rw,relatime master:25 - ext4 /dev/vda rw
129 110 0:50 / /etc rw,relatime - tmpfs none rw,uid=1000,gid=1000
130 131 0:46 / /run/.ro3231227920 rw,relatime master:34 - tmpfs tmpfs rw
131 125 0:51 / /run rw,relatime - tmpfs none rw,uid=1000,gid=1000
132 129 254:0 /var/tmp/slurm-oci-testbed/inst/dock/root/etc/ssl /etc/ssl rw,relatime master:25 - ext4 /dev/vda rw
`;
// (the kernel lists /sys/fs/cgroup after /run here: mount ids, not line order, say what is on top)
const OUTER = `104 44 254:0 /var/tmp/slurm-oci-testbed/inst/dock/root / rw,relatime shared:25 - ext4 /dev/vda rw
105 104 0:42 / /proc rw,relatime shared:26 - proc proc rw
118 104 0:6 / /dev rw,relatime shared:29 - devtmpfs devtmpfs rw,mode=755
120 119 0:27 / /dev/shm rw,relatime shared:31 - tmpfs tmpfs rw
119 118 0:23 / /dev/shm rw,relatime shared:30 - tmpfs tmpfs rw
123 104 0:46 / /run rw,relatime shared:34 - tmpfs tmpfs rw
108 104 0:47 / /tmp rw,relatime shared:35 - tmpfs tmpfs rw
109 104 254:0 /work/wt-docker /project rw,relatime shared:36 - ext4 /dev/vda rw
`;
const inner = parseMountinfo(INNER);
const outer = parseMountinfo(OUTER);
const ro = '/run/.ro3231227920';

test('paths on mounts both namespaces share keep their names', () => {
  expect(outsidePath('/var/tmp/containers-alice/docker-exec/moby/abc', inner, outer)).toBe(
    '/var/tmp/containers-alice/docker-exec/moby/abc',
  );
  expect(outsidePath('/project/dist', inner, outer)).toBe('/project/dist');
  expect(outsidePath('/tmp/x', inner, outer)).toBe('/tmp/x');
  // the top one of two stacked tmpfs mounts, listed in the other order outside
  expect(outsidePath('/dev/shm/a', inner, outer)).toBe('/dev/shm/a');
});

test("rootlesskit's copy-up: the original /run and /etc are elsewhere inside, under their own names outside", () => {
  expect(outsidePath(`${ro}/user/1000/docker-exec/moby/abc`, inner, outer)).toBe('/run/user/1000/docker-exec/moby/abc');
  expect(outsidePath('/etc/.ro3923261094/hosts', inner, outer)).toBe('/etc/hosts');
});

test("what dockerd makes in rootlesskit's tmpfs exists only inside", () => {
  expect(outsidePath('/run/docker/containerd/abc', inner, outer)).toBeUndefined();
  expect(outsidePath('/etc/docker/daemon.json', inner, outer)).toBeUndefined();
});

test('a path on a file system mounted outside, but hidden there under another mount, is not visible', () => {
  const hidden = parseMountinfo(`${OUTER}130 123 0:99 / /run/user rw - tmpfs tmpfs rw\n`);
  expect(outsidePath(`${ro}/user/1000/x`, inner, hidden)).toBeUndefined();
});

test('mount points with spaces (octal escapes) are decoded', () => {
  expect(parseMountinfo('5 1 8:1 /a\\040b /mnt/x\\040y rw - ext4 /dev/sda1 rw\n')).toEqual([
    { id: '5', parent: '1', dev: '8:1', root: '/a b', point: '/mnt/x y' },
  ]);
});

// A stand-in for /proc and the bundle: the files Io.read returns; realpath is the identity.
const fakeIo = (
  files: Record<string, string>,
  env: NodeJS.ProcessEnv = { ROOTLESSKIT_STATE_DIR: '/run/user/1000/dockerd-rootless' },
): Io & { reads: string[] } => {
  const reads: string[] = [];
  return {
    env,
    reads,
    read: (file) => (reads.push(file), files[file]),
    realpath: (p) => {
      if (p.includes('missing')) throw new Error('ENOENT');
      return p;
    },
  };
};
const proc = {
  '/run/user/1000/dockerd-rootless/child_pid': '12992\n',
  '/proc/12992/stat': '12992 (exe) S 12984 12984 11 0 -1 4194560 2000 0 0 0',
  '/proc/12984/mountinfo': OUTER,
  '/proc/self/mountinfo': INNER,
};
const bundleAt = (bundle: string, mounts: object[] = []) => ({ [`${bundle}/config.json`]: JSON.stringify({ mounts }) });

test('outside rootlesskit nothing is read', () => {
  const io = fakeIo(proc, {});
  expect(outsideMounts(io)).toBeUndefined();
  assertVisibleToSlurm({ bundle: `${ro}/user/1000/b`, rootfs: '/r' }, io);
  expect(io.reads).toEqual([]);
});

test("the outside table is rootlesskit's parent's: the parent of the child named in the state dir", () => {
  expect(outsideMounts(fakeIo(proc))).toEqual(outer);
});

test('a visible bundle, rootfs and bind sources pass', () => {
  const bundle = '/var/tmp/containers-alice/docker-exec/moby/abc';
  const binds = [
    {
      destination: '/etc/hosts',
      type: 'bind',
      source: '/var/tmp/containers-alice/docker/containers/abc/hosts',
      options: ['rbind'],
    },
  ];
  expect(() =>
    assertVisibleToSlurm(
      { bundle, rootfs: '/var/tmp/containers-alice/docker/vfs/dir/abc' },
      fakeIo({ ...proc, ...bundleAt(bundle, binds) }),
    ),
  ).not.toThrow();
});

test('a bundle under the copied-up /run fails with one line naming it and where it is outside', () => {
  const bundle = `${ro}/user/1000/docker-exec/moby/abc`;
  const call = () => assertVisibleToSlurm({ bundle, rootfs: '/var/tmp/r' }, fakeIo({ ...proc, ...bundleAt(bundle) }));
  expect(call).toThrow(CliError);
  expect(call).toThrow(
    `the bundle ${bundle} exists only inside rootless Docker's mount namespace (outside it is /run/user/1000/docker-exec/moby/abc): the Slurm job runs outside and could not reach it`,
  );
  try {
    call();
  } catch (error) {
    expect((error as CliError).hint).toMatch(/exec-root and data-root outside \/run .*generate docker-daemon/);
  }
});

test('a rootfs or bind source on a mount only the inside has fails; a bind whose source is missing is left to crun', () => {
  const bundle = '/var/tmp/b';
  expect(() =>
    assertVisibleToSlurm({ bundle, rootfs: '/run/docker/rootfs' }, fakeIo({ ...proc, ...bundleAt(bundle) })),
  ).toThrow(/^the rootfs \/run\/docker\/rootfs is on a mount only rootless Docker's mount namespace has/);
  const shm = [{ destination: '/dev/shm', source: '/run/docker/shm', options: ['bind', 'ro'] }];
  expect(() =>
    assertVisibleToSlurm({ bundle, rootfs: '/var/tmp/r' }, fakeIo({ ...proc, ...bundleAt(bundle, shm) })),
  ).toThrow(/^the bind mount source \/run\/docker\/shm /);
  const notBinds = [
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm' },
    { destination: '/x', type: 'bind', source: '/run/missing' },
  ];
  expect(() =>
    assertVisibleToSlurm({ bundle, rootfs: '/var/tmp/r' }, fakeIo({ ...proc, ...bundleAt(bundle, notBinds) })),
  ).not.toThrow();
});

test('under rootlesskit with an unreadable outside table it says so rather than guess', () => {
  const { ['/proc/12984/mountinfo']: _, ...noParent } = proc;
  expect(() => outsideMounts(fakeIo(noParent))).toThrow(
    /ROOTLESSKIT_STATE_DIR=\/run\/user\/1000\/dockerd-rootless\) but its parent process's mount table cannot be read/,
  );
});
