// The generated containers.conf and storage.conf used by rootless Podman as alice on the real
// cluster: with crun as the `slurm` runtime (busybox runs, its exit code comes back, Podman reports
// the settings it was given), then with scrun, the generated oci.conf and scrun.lua (busybox runs as
// a Slurm job).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { BARE_SCRUN_FAULT, killAnchors, scrunContainers } from '../helpers/scrun.js';
import { projectInside, tbSh, tbUserSh } from '../helpers/testbed.js';

const cli = `${projectInside}/bin/slurm-oci`;
// Its own config files and store, so this test never shares Podman state with another.
const dir = '$HOME/host-config-test';
const env = `export CONTAINERS_CONF=${dir}/containers.conf CONTAINERS_STORAGE_CONF=${dir}/storage.conf;`;
const podman = (script: string) => tbUserSh(`${env} timeout -k 5 240 ${script}`);

describe('generated host configs with rootless podman', () => {
  beforeAll(async () => {
    const gen = await tbUserSh(`set -e; rm -rf ${dir}; mkdir -p ${dir}
      ${cli} generate containers-conf --runtime-path /usr/bin/crun --no-systemd -o ${dir}/containers.conf
      ${cli} generate storage-conf --graphroot /var/tmp/host-config-test-$USER/storage --runroot /run/user/1000/host-config-test -o ${dir}/storage.conf`);
    expect(gen).toMatchObject({ exitCode: 0, stderr: '' });
    const image = await podman('podman import -q /srv/busybox.tar localhost/busybox');
    expect(image.stderr).toBe('');
    expect(image.exitCode).toBe(0);
  });

  test('busybox runs inside the container and its exit code comes back', async () => {
    const r = await podman('podman run --rm localhost/busybox cat /etc/testbed-marker');
    expect(r).toMatchObject({ exitCode: 0, stdout: 'inside-busybox' });
    const exit = await podman('podman run --rm localhost/busybox sh -c "exit 7"');
    expect(exit.exitCode).toBe(7);
  });

  test('podman runs with the generated settings: runtime slurm, vfs on local disk, host network', async () => {
    const info = JSON.parse((await podman('podman info --format json')).stdout);
    expect(info.host.ociRuntime).toMatchObject({ name: 'slurm', path: '/usr/bin/crun' });
    expect(info.host.security.rootless).toBe(true);
    expect(info.store.graphDriverName).toBe('vfs');
    expect(info.store.graphRoot).toBe('/var/tmp/host-config-test-alice/storage');
    // netns=host: the container sees the node's own interfaces (the testbed's tb0 veth).
    const net = await podman('podman run --rm localhost/busybox cat /proc/net/dev');
    expect(net.stdout).toMatch(/tb0:/);
  });

  test('-o over an existing file is refused and leaves it alone', async () => {
    const r = await tbUserSh(
      `${cli} generate storage-conf -o ${dir}/storage.conf; echo "rc=$?"; head -c 60 ${dir}/storage.conf`,
    );
    expect(r.stdout).toMatch(/^rc=1\n# storage.conf written by slurm-oci/);
    expect(r.stderr).toMatch(/already exists; nothing was written/);
  });
});

describe('through scrun, with every file generated', () => {
  const dir = '$HOME/scrun-host-config';
  const env = `export CONTAINERS_CONF=${dir}/containers.conf CONTAINERS_STORAGE_CONF=${dir}/storage.conf;`;
  let before = new Set<string>();

  beforeAll(async () => {
    before = await scrunContainers();
    const site = await tbSh(`set -e
      ${cli} generate oci-conf --preset crun-run --slurm-version 24.11 -o /etc/slurm/oci.conf --force
      ${cli} generate scrun-lua -o /etc/slurm/scrun.lua --force
      scontrol reconfigure`);
    expect(site.exitCode).toBe(0);
    const user = await tbUserSh(`set -e; rm -rf ${dir}; mkdir -p ${dir}
      ${cli} generate containers-conf --no-systemd -o ${dir}/containers.conf
      ${cli} generate storage-conf --graphroot /var/tmp/scrun-host-config-$USER --runroot /run/user/1000/scrun-host-config -o ${dir}/storage.conf
      ${env} podman import -q /srv/busybox.tar localhost/busybox >/dev/null`);
    expect(user).toMatchObject({ exitCode: 0, stderr: '' });
  });

  // bare scrun can leave its anchor behind, spinning on a CPU: end this block's own containers so
  // the files after it are not starved (their exit codes and time limits suffered)
  afterAll(async () => {
    const mine = [...(await scrunContainers())].filter((id) => !before.has(id));
    const killed = await killAnchors(mine);
    if (killed.length) console.log(`ended scrun anchors left behind: ${killed.join('; ')}`);
  });

  test('podman run executes busybox as a Slurm job', async () => {
    // Output to a file and a time limit: a stuck scrun anchor keeps a pipe open (testbed README).
    const outcomes: string[] = [];
    // three runs, and up to two more until one has come back whole
    for (let i = 0; i < 5 && (i < 3 || !outcomes.some((o) => o.startsWith('rc=0'))); i++) {
      const r = await tbUserSh(
        `${env} timeout -k 5 60 podman run --rm localhost/busybox sh -c 'cat /etc/testbed-marker; echo "job=$SLURM_JOB_ID"' > "$HOME/scrun-run.out" 2>&1; echo "rc=$?"; cat "$HOME/scrun-run.out"`,
      );
      outcomes.push(r.stdout);
    }
    // Every container ran inside busybox as a job; scrun itself sometimes hangs after the container
    // ends, which the time limit ends, or completes the job before the container ran (bare scrun's
    // faults, see the README).
    for (const o of outcomes) {
      expect(o).toMatch(new RegExp(`^rc=(0|124|137)\ninside-busybox\njob=\\d+(\n|$)|${BARE_SCRUN_FAULT.source}`));
    }
    expect(outcomes.some((o) => o.startsWith('rc=0'))).toBe(true);
  });

  test('doctor finds nothing wrong with this set-up', async () => {
    const r = await tbUserSh(`${env} ${cli} doctor --format json`);
    const report = JSON.parse(r.stdout);
    // nothing wrong: no fail or warn (rootless Docker's check skips: this set-up is Podman's)
    expect(report.checks.filter((c: { status: string }) => c.status === 'fail' || c.status === 'warn')).toEqual([]);
    expect(report.checks.find((c: { name: string }) => c.name === 'podman').detail).toMatch(
      /runtime slurm \(\/usr\/bin\/scrun\), rootless$/,
    );
    expect(r.exitCode).toBe(0);
  });
});
