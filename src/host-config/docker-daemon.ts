// Rootless Docker set up to run containers as Slurm jobs (the containers page): daemon.json with
// the `slurm` runtime and no networking of its own, the systemd drop-in that puts rootlesskit on the
// host network, and the `docker run` flags that turn off confinement Slurm does not want.
import { shellQuote } from '../util/shell.js';

// The daemon.json keys this tool writes (dockerd(8)).
export type DockerDaemonJson = {
  experimental: boolean;
  iptables: boolean;
  bridge: 'none';
  'no-new-privileges': boolean;
  rootless: boolean;
  'selinux-enabled': boolean;
  'default-runtime': 'slurm';
  runtimes: { slurm: { path: string } };
  'storage-driver': 'vfs';
  'data-root': string;
  'exec-root': string;
};

// A systemd unit file: sections of key=value lines (keys may repeat, so a list of pairs).
export type UnitFile = Record<string, [string, string][]>;

// Everything a user needs for rootless Docker through Slurm.
export type DockerSetup = { daemonJson: DockerDaemonJson; override: UnitFile; securityFlags: string[] };

export type DockerOptions = { runtimePath: string; dataRoot: string; execRoot: string };

// Default roots: images on local disk (vfs copies every layer), run-time state in the user's runtime dir.
export const defaultDockerRoots = (user: string, uid: number) => ({
  dataRoot: `/var/tmp/containers-${user}/docker`,
  execRoot: `/run/user/${uid}/docker-exec`,
});

// Builds the three parts. vfs, because with overlay the rootfs is a mount inside rootlesskit's namespace
// that the Slurm job cannot see.
export function buildDockerSetup({ runtimePath, dataRoot, execRoot }: DockerOptions): DockerSetup {
  return {
    daemonJson: {
      experimental: true,
      iptables: false,
      bridge: 'none',
      'no-new-privileges': true,
      rootless: true,
      'selinux-enabled': false,
      'default-runtime': 'slurm',
      runtimes: { slurm: { path: runtimePath } },
      'storage-driver': 'vfs',
      'data-root': dataRoot,
      'exec-root': execRoot,
    },
    override: {
      Service: [
        ['Environment', 'DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=none'],
        ['Environment', 'DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host'],
      ],
    },
    securityFlags: [
      '--security-opt', 'label=disable',
      '--security-opt', 'seccomp=unconfined',
      '--security-opt', 'apparmor=unconfined',
      '--net=none',
    ],
  };
}

// Serializes a unit file; values are double-quoted as systemd.syntax(7) allows.
export const unitFileText = (unit: UnitFile): string =>
  Object.entries(unit)
    .map(([section, pairs]) => `[${section}]\n${pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n')}\n`)
    .join('\n');

// The shell line users add to their profile: `docker run $DOCKER_SECURITY image cmd`.
export const securityExport = (flags: string[]): string => `export DOCKER_SECURITY=${shellQuote(flags.join(' '))}\n`;
