// Podman's containers.conf for running containers as Slurm jobs: the settings of Slurm's containers
// page (host namespaces, no labels, a `slurm` runtime), as a typed model serialized with smol-toml.
import { stringify } from 'smol-toml';

// The part of containers.conf(5) this tool writes.
export type ContainersConf = {
  containers: {
    apparmor_profile: string;
    cgroupns: 'host';
    cgroups: 'enabled';
    default_sysctls: string[];
    label: boolean;
    netns: 'host';
    no_hosts: boolean;
    pidns: 'host';
    utsns: 'host';
    userns: 'host';
    log_driver: 'journald' | 'k8s-file';
  };
  engine: {
    cgroup_manager: 'systemd' | 'cgroupfs';
    events_logger: 'journald' | 'file';
    runtime: 'slurm';
    remote: boolean;
    runtimes: { slurm: string[] };
    runtimes_flags?: { slurm: string[] };
  };
};

export type ContainersConfOptions = {
  // Paths of the `slurm` runtime; Podman uses the first that exists.
  runtimePaths: string[];
  // Extra arguments Podman passes to the runtime before its command.
  runtimeFlags: string[];
  // Whether the hosts run systemd (cgroup manager, journald) or not (cgroupfs, plain files).
  systemd: boolean;
};

// Builds the model: Slurm runs the container on a compute node, so Podman must not set up
// namespaces, networks or SELinux/AppArmor confinement of its own (Slurm only supports host networking).
export function buildContainersConf(options: ContainersConfOptions): ContainersConf {
  const { runtimePaths, runtimeFlags, systemd } = options;
  return {
    containers: {
      apparmor_profile: 'unconfined',
      cgroupns: 'host',
      cgroups: 'enabled',
      default_sysctls: [],
      label: false,
      netns: 'host',
      no_hosts: true,
      pidns: 'host',
      utsns: 'host',
      userns: 'host',
      log_driver: systemd ? 'journald' : 'k8s-file',
    },
    engine: {
      cgroup_manager: systemd ? 'systemd' : 'cgroupfs',
      events_logger: systemd ? 'journald' : 'file',
      runtime: 'slurm',
      remote: false,
      runtimes: { slurm: runtimePaths },
      ...(runtimeFlags.length ? { runtimes_flags: { slurm: runtimeFlags } } : {}),
    },
  };
}

// Serializes the model as TOML, with a header saying where it came from.
export const containersConfToml = (conf: ContainersConf): string =>
  `# containers.conf written by slurm-oci generate containers-conf: Podman runs containers as Slurm jobs.\n\n${stringify(conf)}\n`;
