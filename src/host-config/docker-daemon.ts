// Rootless Docker set up to run containers as Slurm jobs (the containers page): daemon.json with
// the `slurm` runtime and no networking of its own, the systemd drop-in that puts rootlesskit on the
// host network, and the `docker run` flags that turn off confinement Slurm does not want.
import { shellQuote } from '../util/shell.js';

// The daemon.json keys this tool writes (dockerd(8)).
export type DockerDaemonJson = {
  experimental: boolean;
  iptables: boolean;
  // off: rootless dockerd cannot write /proc/sys/net/ipv4/ip_forward, and Docker 26 stops at start
  // ("failed to register "bridge" driver: Enabling IP forwarding failed") even with the bridge off
  'ip-forward': boolean;
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

// Default roots: both on local disk where slurmstepd can see them (not the page's /run/user/UID:
// see hiddenByRootlesskit); images there because vfs copies every layer.
export const defaultDockerRoots = (user: string) => ({
  dataRoot: `/var/tmp/containers-${user}/docker`,
  execRoot: `/var/tmp/containers-${user}/docker-exec`,
});

// The directories dockerd-rootless.sh has rootlesskit copy up (--copy-up=/etc --copy-up=/run): inside
// its mount namespace each is a fresh tmpfs of symlinks to the original, so dockerd hands its runtime
// real paths like /run/.ro1234/user/1000/... that do not exist outside, and whatever it creates there
// exists only inside. A Slurm job runs outside: slurmstepd cannot chdir to the container's bundle.
export const rootlesskitCopyUp = ['/run', '/etc', '/var/run'] as const;

// The copied-up directory DIR is under, or undefined when Slurm can see DIR.
export const hiddenByRootlesskit = (dir: string): string | undefined =>
  rootlesskitCopyUp.find((top) => dir === top || dir.startsWith(`${top}/`));

// Why the roots are where they are, for the generator's output.
export const rootsNote =
  'exec-root and data-root are outside /run on purpose: rootless dockerd runs inside rootlesskit, which ' +
  'replaces /run with a copy only it sees, so a Slurm job could not reach the container bundles there ' +
  "(slurmstepd: couldn't chdir to /run/.ro...)";

// The warning for roots on a file system only this node sees.
export const nodeLocalNote = (dirs: string[], fsName: string): string =>
  `${dirs.join(' and ')} ${dirs.length > 1 ? 'are' : 'is'} on ${fsName}, which only this node sees: jobs that run on other ` +
  'nodes (multi-node jobs, or a partition of other nodes) need --data-root and --exec-root on a shared ' +
  'filesystem (add --force once it is known to work for rootless storage)';

// Builds the three parts. vfs, because with overlay the rootfs is a mount inside rootlesskit's namespace
// that the Slurm job cannot see.
export function buildDockerSetup({ runtimePath, dataRoot, execRoot }: DockerOptions): DockerSetup {
  return {
    daemonJson: {
      experimental: true,
      iptables: false,
      'ip-forward': false,
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
      '--security-opt',
      'label=disable',
      '--security-opt',
      'seccomp=unconfined',
      '--security-opt',
      'apparmor=unconfined',
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
