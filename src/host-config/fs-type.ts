// What filesystem a path lives on, from statfs's magic number (no `stat` process), so the storage
// generators and doctor can refuse container storage on NFS, Lustre, GPFS and the like: rootless
// Podman's store breaks on them (uid mapping, locking, xattrs) and every layer write crosses the network.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';

type Kind = { name: string; shared: boolean };

// Magic numbers from linux/magic.h and the vendors' headers.
const kinds = new Map<number, Kind>([
  [0x6969, { name: 'nfs', shared: true }],
  [0x517b, { name: 'smb', shared: true }],
  [0xff534d42, { name: 'cifs', shared: true }],
  [0xfe534d42, { name: 'smb2', shared: true }],
  [0x0bd00bd0, { name: 'lustre', shared: true }],
  [0x47504653, { name: 'gpfs', shared: true }],
  [0x19830326, { name: 'beegfs', shared: true }],
  [0x00c36400, { name: 'ceph', shared: true }],
  [0x5346414f, { name: 'afs', shared: true }],
  [0x6b414653, { name: 'kafs', shared: true }],
  [0xaad7aaea, { name: 'panfs', shared: true }],
  [0x7461636f, { name: 'ocfs2', shared: true }],
  [0x01161970, { name: 'gfs2', shared: true }],
  [0x73757245, { name: 'coda', shared: true }],
  [0x01021997, { name: '9p', shared: true }],
  // FUSE is most often sshfs, GlusterFS, s3fs or a parallel filesystem's client.
  [0x65735546, { name: 'fuse', shared: true }],
  [0xef53, { name: 'ext4', shared: false }],
  [0x58465342, { name: 'xfs', shared: false }],
  [0x9123683e, { name: 'btrfs', shared: false }],
  [0x2fc12fc1, { name: 'zfs', shared: false }],
  [0xf2f52010, { name: 'f2fs', shared: false }],
  [0xca451a4e, { name: 'bcachefs', shared: false }],
  [0x01021994, { name: 'tmpfs', shared: false }],
  [0x858458f6, { name: 'ramfs', shared: false }],
  [0x794c7630, { name: 'overlay', shared: false }],
  [0x73717368, { name: 'squashfs', shared: false }],
  [0x63677270, { name: 'cgroup2', shared: false }],
  [0x0027e0eb, { name: 'cgroup', shared: false }],
]);

// The filesystem of a path: the path statfs looked at (the nearest existing one), its type and
// whether it is shared over a network or cluster.
export type FsType = { checked: string; magic: number; name: string; shared: boolean };

// Names the filesystem holding DIR, or that would hold it once created (its nearest existing parent).
export function fsTypeOf(dir: string, statfs: (p: string) => { type: number } = fs.statfsSync): FsType {
  let checked = path.resolve(dir);
  while (!fs.existsSync(checked) && path.dirname(checked) !== checked) checked = path.dirname(checked);
  return { checked, ...fsKindOfMagic(statfs(checked).type) };
}

// Names a statfs magic number (as statfs(2) or `stat -f -c %t` give it).
export function fsKindOfMagic(type: number): Omit<FsType, 'checked'> {
  const magic = type >>> 0;
  return { magic, ...(kinds.get(magic) ?? { name: `unknown (0x${magic.toString(16)})`, shared: false }) };
}

// Refuses container storage at DIR when it is on a shared filesystem, unless FORCE (a site that
// has tested its shared store, as in the containers page's no-staging set-up).
export function assertLocalDisk(
  dir: string,
  force: boolean,
  option: string,
  statfs?: (p: string) => { type: number },
): void {
  const fsType = fsTypeOf(dir, statfs);
  if (fsType.shared && !force) {
    throw new CliError(
      `${dir} is on ${fsType.name} (checked ${fsType.checked}), a shared filesystem: rootless container storage there breaks (uid mapping, locks, xattrs) and is slow; nothing was written`,
      1,
      `give ${option} a directory on local disk (e.g. /var/tmp or /local/scratch), or add --force if this filesystem is known to work`,
    );
  }
}
