// Rootless Podman set-ups for e2e tests: each gets its own containers.conf, storage.conf and store
// under the user's home (switching one store between drivers trips Podman's database), selected per
// command through CONTAINERS_CONF / CONTAINERS_STORAGE_CONF, so tests never touch each other's state.
// Rootless Podman takes its store from rootless_storage_path and ignores graphroot there.
import { tbUserSh, type Result } from './testbed.js';

export type PodmanSetup = {
  // Prefix for a shell command run as the user: exports the two config variables.
  env: string;
  // Runs a shell snippet as the user with this set-up's Podman configuration.
  sh: (script: string, timeoutMs?: number) => Promise<Result>;
};

// Writes a Podman configuration whose runtime `slurm` is RUNTIME (an absolute path inside the cluster),
// with extra `[engine]` lines (e.g. runtime flags), and imports the busybox test image as localhost/busybox.
export async function setupPodman(options: {
  name: string;
  runtime: string;
  driver?: 'vfs' | 'overlay';
  user?: string;
  runtimeFlags?: string[];
  // The instance to set up in: the suite's cluster unless a test file brings its own.
  userSh?: typeof tbUserSh;
  generated?: boolean;
}): Promise<PodmanSetup> {
  const { name, runtime, driver = 'vfs', user = 'alice', runtimeFlags = [], userSh = tbUserSh } = options;
  const dir = `$HOME/podman-${name}`;
  const run = `$XDG_RUNTIME_DIR/podman-${name}`;
  const flags = runtimeFlags.length
    ? `[engine.runtimes_flags]\nslurm = [${runtimeFlags.map((f) => JSON.stringify(f)).join(', ')}]\n`
    : '';
  // generated: the containers.conf `slurm-oci generate containers-conf` writes (host PID, UTS and user
  // namespaces, as Slurm's page recommends for scrun), with this store's own static and tmp dirs and
  // file logs (no journald in the cluster).
  const containersConf = options.generated
    ? `/project/bin/slurm-oci generate containers-conf --runtime slurm-oci-runtime -o "${dir}/containers.conf" --force >/dev/null
sed -i '/^events_logger = /d; s/^log_driver = .*/log_driver = "k8s-file"/' "${dir}/containers.conf"
sed -i '/^\\[engine\\]$/r /dev/stdin' "${dir}/containers.conf" <<EOF
static_dir = "${dir}/static"
tmp_dir = "${run}/tmp"
events_logger = "file"
EOF`
    : `cat > "${dir}/containers.conf" <<EOF
[containers]
netns = "host"
[engine]
runtime = "slurm"
cgroup_manager = "cgroupfs"
events_logger = "file"
static_dir = "${dir}/static"
tmp_dir = "${run}/tmp"
[engine.runtimes]
slurm = ["${runtime}"]
${flags}EOF`;
  const write = await userSh(
    `set -e; rm -rf "${dir}"; mkdir -p "${dir}" "${run}"
${containersConf}
cat > "${dir}/storage.conf" <<EOF
[storage]
driver = "${driver}"
graphroot = "${dir}/graph"
rootless_storage_path = "${dir}/graph"
runroot = "${run}/run"
EOF`,
    { user },
  );
  if (write.exitCode !== 0) throw new Error(`podman set-up ${name} failed: ${write.stderr}`);
  const env = `export CONTAINERS_CONF="${dir}/containers.conf" CONTAINERS_STORAGE_CONF="${dir}/storage.conf";`;
  const sh = (script: string, timeoutMs = 300_000) => userSh(`${env} ${script}`, { user, timeout: timeoutMs });
  const image = await sh('podman import -q /srv/busybox.tar localhost/busybox');
  if (image.exitCode !== 0) throw new Error(`podman import failed: ${image.stderr}`);
  return { env, sh };
}
