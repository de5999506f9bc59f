// Rootless crun and Podman need the unified cgroup v2 hierarchy to run containers with limits.
import fs from 'node:fs';
import { ok, warn, type Check, type Finding } from '../check.js';

const fix = 'boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2), the default of current distributions';

// Judges the filesystem at /sys/fs/cgroup and, for v2, the controllers available.
export function judgeCgroup(fsName: string | undefined, hybrid: boolean, controllers: string | undefined): Finding {
  if (fsName === 'cgroup2') return ok(`cgroup v2${controllers?.trim() ? ` (controllers: ${controllers.trim()})` : ''}`);
  if (hybrid) return warn('hybrid cgroup v1/v2 hierarchy: rootless containers cannot use resource limits', fix);
  return warn(
    `cgroup v1 (${fsName ?? 'unknown'} at /sys/fs/cgroup): rootless containers cannot use resource limits`,
    fix,
  );
}

export default {
  name: 'cgroup',
  run: async (host) =>
    judgeCgroup(
      (await host.fsType('/sys/fs/cgroup'))?.name,
      fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers'),
      host.read('/sys/fs/cgroup/cgroup.controllers'),
    ),
} satisfies Check;
