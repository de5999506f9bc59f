// Podman's store must be on local disk (NFS, Lustre and GPFS break rootless storage and slow every
// layer write), and through scrun it must use vfs (an overlay rootfs is a mount the job cannot see).
import path from 'node:path';
import type { FsType } from '../../host-config/fs-type.js';
import { fail, ok, skip, type Check, type Finding } from '../check.js';
import type { PodmanInfo } from '../host.js';

const regenerate =
  'slurm-oci generate storage-conf --force -o ~/.config/containers/storage.conf && podman system reset';

// Judges the store's filesystem and driver, given the runtime Podman calls.
export function judgeGraphroot(info: PodmanInfo, fsType: FsType | undefined): Finding {
  const root = info.store.graphRoot ?? '?';
  const driver = info.store.graphDriverName ?? '?';
  if (fsType?.shared) return fail(`graphroot ${root} is on ${fsType.name}, a shared filesystem`, regenerate);
  const runtime = path.basename(info.host.ociRuntime?.path ?? '');
  if (['scrun', 'slurm-oci-runtime'].includes(runtime) && driver !== 'vfs') {
    return fail(
      `storage driver ${driver} with ${runtime}: the job would see an empty rootfs (it needs vfs)`,
      regenerate,
    );
  }
  return ok(`graphroot ${root} on ${fsType?.name ?? 'an unknown filesystem'}, driver ${driver}`);
}

export default {
  name: 'graphroot',
  run: async (host) => {
    const info = (await host.podmanInfo())?.info;
    if (!info?.store.graphRoot) return skip('no podman store to look at (see the podman check)');
    return judgeGraphroot(info, await host.fsType(info.store.graphRoot));
  },
} satisfies Check;
