// Podman's storage.conf for scrun: the vfs driver (with overlay the rootfs is a mount inside
// Podman's own namespace, so the job would see an empty directory) and a graphroot on local disk.
import { stringify } from 'smol-toml';

// The part of containers-storage.conf(5) this tool writes.
export type StorageConf = {
  storage: {
    driver: 'vfs' | 'overlay';
    runroot: string;
    graphroot: string;
    rootless_storage_path: string;
    options: {
      pull_options: { use_hard_links: 'true' | 'false'; enable_partial_images: 'true' | 'false' };
      vfs?: { ignore_chown_errors: 'true' };
    };
  };
};

export type StorageConfOptions = { driver: 'vfs' | 'overlay'; graphroot: string; runroot: string };

// Where the store goes by default: local disk (not the home directory, which is NFS on most clusters).
export const defaultGraphroot = (user: string): string => `/var/tmp/containers-${user}/storage`;
// Where the run-time state goes by default: the user's XDG runtime directory.
export const defaultRunroot = (uid: number): string => `/run/user/${uid}/containers`;

// Builds the model. Hard links on pull save a copy per layer; ignore_chown_errors lets images whose
// files belong to users outside a short subuid range unpack (the containers page sets both).
export function buildStorageConf({ driver, graphroot, runroot }: StorageConfOptions): StorageConf {
  return {
    storage: {
      driver,
      runroot,
      graphroot,
      // Rootless Podman ignores graphroot in a file named by CONTAINERS_STORAGE_CONF (or in
      // /etc/containers) and reads this key instead; with both, the file works wherever it is put.
      rootless_storage_path: graphroot,
      options: {
        pull_options: { use_hard_links: 'true', enable_partial_images: 'true' },
        ...(driver === 'vfs' ? { vfs: { ignore_chown_errors: 'true' as const } } : {}),
      },
    },
  };
}

// Serializes the model as TOML, with a header saying where it came from.
export const storageConfToml = (conf: StorageConf): string =>
  `# storage.conf written by slurm-oci generate storage-conf: container storage on local disk.\n\n${stringify(conf)}\n`;
