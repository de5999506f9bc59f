// Docker through Slurm on the real cluster, as Slurm's containers page describes it: rootless Docker
// 26 (Debian's docker.io, rootlesskit) as alice, started with dockerd-rootless.sh and the files
// `generate docker-daemon` wrote, runs containers as Slurm jobs through slurm-oci-runtime's scrun
// backend; the two failures of the page's own settings are caught (by the runtime at create, and by
// doctor); rootful Docker through a local backend keeps its whole lifecycle.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectInside, tbSh, tbUserSh } from '../helpers/testbed.js';

const cli = `${projectInside}/bin/slurm-oci`;
const runtime = `${projectInside}/dist/slurm-oci-runtime`;
const security =
  '--security-opt label=disable --security-opt seccomp=unconfined --security-opt apparmor=unconfined --net=none';
const dockerEnv = 'export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock;';
const docker = (script: string) => tbUserSh(`${dockerEnv} timeout -k 5 240 ${script}`);

// Starts alice's rootless dockerd the way the generated drop-in says (its Environment= lines; the
// cluster has no systemd), with the daemon.json in CONFIG_DIR; resolves with its start-up log.
async function startDockerd(configDir: string): Promise<{ up: boolean; log: string }> {
  const r = await tbUserSh(`set -e
    export XDG_CONFIG_HOME=${configDir} PATH=/usr/share/docker.io/contrib:/usr/sbin:$PATH SLURM_OCI_BACKEND=scrun
    for kv in $(sed -n 's/^Environment="\\(.*\\)"$/\\1/p' ${configDir}/systemd/user/docker.service.d/override.conf); do export "$kv"; done
    setsid dockerd-rootless.sh >/tmp/dockerd-$$.log 2>&1 </dev/null & echo $! >$XDG_RUNTIME_DIR/test-dockerd.pid
    up=0; for i in $(seq 60); do ${dockerEnv} docker info >/dev/null 2>&1 && { up=1; break; }; kill -0 $(cat $XDG_RUNTIME_DIR/test-dockerd.pid) 2>/dev/null || break; sleep 0.5; done
    echo "up=$up"; cat /tmp/dockerd-$$.log`);
  return { up: r.stdout.startsWith('up=1'), log: r.stdout };
}

// Stops the dockerd this test started (rootlesskit, by the pid dockerd-rootless.sh exec'd into).
async function stopDockerd(): Promise<void> {
  await tbUserSh(`f=$XDG_RUNTIME_DIR/test-dockerd.pid; [ -f $f ] || exit 0; p=$(cat $f); kill $p 2>/dev/null
    for i in $(seq 40); do kill -0 $p 2>/dev/null || break; sleep 0.25; done; kill -9 $p 2>/dev/null; rm -f $f; true`);
}

// Alice's jobs still known to Slurm (a stopped container's job may take a while to complete).
async function jobsLeft(waitMs: number): Promise<string> {
  let left = '';
  for (const end = Date.now() + waitMs; Date.now() < end; await sleep(1000)) {
    left = (await tbSh('squeue -h -u alice -o "%i %j %T"')).stdout.trim();
    if (!left) break;
  }
  return left;
}

// Every job the controller knows, finished ones too (for MinJobAge, 300 s).
const jobIds = async () => (await tbSh('scontrol show jobs -o')).stdout.match(/JobId=\d+/g) ?? [];

beforeAll(async () => {
  const site = await tbSh(`set -e
    ${cli} generate oci-conf --preset crun-run --slurm-version 24.11 -o /etc/slurm/oci.conf --force 2>/dev/null
    ${cli} generate scrun-lua -o /etc/slurm/scrun.lua --force
    scontrol reconfigure`);
  expect(site.exitCode).toBe(0);
});

describe('rootless Docker as alice, through slurm-oci-runtime (scrun backend)', () => {
  const conf = '$HOME/.config';
  let generated = '';

  beforeAll(async () => {
    const gen = await tbUserSh(
      `rm -rf ${conf}/docker ${conf}/systemd; ${cli} generate docker-daemon --config-dir ${conf} --runtime slurm-oci-runtime --runtime-path ${runtime}`,
    );
    expect(gen.exitCode).toBe(0);
    generated = gen.stdout;
    const started = await startDockerd(conf);
    expect(started).toMatchObject({ up: true });
    const image = await docker('docker import /srv/busybox.tar busybox');
    expect(image.exitCode).toBe(0);
  }, 120_000);

  afterAll(stopDockerd);

  test('the generated daemon.json starts Docker 26 rootless, with slurm the default runtime', async () => {
    expect(generated).toMatch(/exec-root and data-root are outside \/run on purpose/);
    const info = JSON.parse((await docker('docker info --format "{{json .}}"')).stdout);
    expect(info.DefaultRuntime).toBe('slurm');
    expect(info.ServerVersion).toMatch(/^26\./);
    expect(info.SecurityOptions).toContainEqual(expect.stringContaining('rootless'));
    expect(info.DockerRootDir).toBe('/var/tmp/containers-alice/docker');
  });

  test('docker run: output from inside the image, as a Slurm job, and its exit code', async () => {
    const r = await docker(
      `docker run --rm ${security} busybox sh -c 'cat /etc/testbed-marker; echo "job=$SLURM_JOB_ID"; exit 7'`,
    );
    expect(r.exitCode).toBe(7);
    expect(r.stdout).toMatch(/^inside-busybox\njob=\d+$/);
  });

  test('docker run -d, stop, rm: no container and no job are left', async () => {
    const started = await docker(
      `docker run -d ${security} busybox sh -c 'trap "exit 3" TERM; while :; do sleep 1; done'`,
    );
    expect(started.exitCode).toBe(0);
    const id = started.stdout.trim();
    expect((await tbSh('squeue -h -u alice -o %T')).stdout).toMatch(/RUNNING/);
    expect((await docker(`docker stop ${id}`)).exitCode).toBe(0);
    expect((await docker(`docker rm ${id}`)).exitCode).toBe(0);
    expect((await docker('docker ps -aq --no-trunc')).stdout).not.toContain(id);
    expect(await jobsLeft(120_000)).toBe('');
    // and nothing of it in the runtime's state (Docker's --root for runc-style runtimes)
    expect(
      (await tbUserSh(`ls /var/tmp/containers-alice/docker-exec/runtime-runc/moby/containers 2>/dev/null`)).stdout,
    ).not.toContain(id);
  });

  test('docker exec and pause fail with one line saying scrun cannot', async () => {
    const started = await docker(`docker run -d ${security} busybox sleep 600`);
    const id = started.stdout.trim();
    try {
      // (docker prints exec's error on stdout, pause's on stderr)
      for (const [command, word] of [
        [`docker exec ${id} true`, 'exec'],
        [`docker pause ${id}`, 'pause'],
      ]) {
        const r = await docker(`${command} 2>&1`);
        expect(r.exitCode).not.toBe(0);
        expect(r.stdout.trim().split('\n')).toHaveLength(1);
        expect(r.stdout).toMatch(
          new RegExp(`${word} is not supported by the scrun backend; hint: the container runs as a Slurm job`),
        );
      }
    } finally {
      await docker(`docker rm -f ${id}`);
    }
    expect(await jobsLeft(120_000)).toBe('');
  });
});

describe("the page's own settings, and what catches their two failures", () => {
  const conf = '$HOME/docker-page-conf';

  afterAll(stopDockerd);

  test('without ip-forward off dockerd stops at start, and doctor names the fix', async () => {
    await tbUserSh(`rm -rf ${conf}; ${cli} generate docker-daemon --config-dir ${conf} --runtime-path ${runtime} >/dev/null
      jq 'del(."ip-forward")' ${conf}/docker/daemon.json >/tmp/d.json && mv /tmp/d.json ${conf}/docker/daemon.json`);
    const started = await startDockerd(conf);
    expect(started.up).toBe(false);
    expect(started.log).toMatch(
      /Enabling IP forwarding failed: open \/proc\/sys\/net\/ipv4\/ip_forward: permission denied/,
    );
    const doctor = await tbUserSh(`XDG_CONFIG_HOME=${conf} ${cli} doctor --check docker --format json`);
    expect(doctor.exitCode).toBe(1);
    expect(JSON.parse(doctor.stdout).checks[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('not ip-forward'),
      fix: expect.stringContaining('"ip-forward": false'),
    });
  });

  test('exec-root under /run/user/UID: the runtime refuses at create with one line naming the path, and doctor names the fix', async () => {
    await stopDockerd();
    await tbUserSh(`rm -rf ${conf}; ${cli} generate docker-daemon --config-dir ${conf} --runtime-path ${runtime} >/dev/null
      jq '."exec-root" = "/run/user/1000/docker-exec"' ${conf}/docker/daemon.json >/tmp/d.json && mv /tmp/d.json ${conf}/docker/daemon.json`);
    expect((await startDockerd(conf)).up).toBe(true);
    await docker('docker import /srv/busybox.tar busybox');
    const before = await jobIds();
    const r = await docker(`docker run --rm ${security} busybox true`);
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(
      /OCI runtime create failed: the bundle \/run\/\.ro\d+\/user\/1000\/docker-exec\/\S+ exists only inside rootless Docker's mount namespace \(outside it is \/run\/user\/1000\/docker-exec\/\S+\): the Slurm job runs outside and could not reach it; hint: give dockerd an exec-root and data-root outside \/run/,
    );
    expect(await jobIds()).toEqual(before); // refused before any allocation
    const doctor = await tbUserSh(`XDG_CONFIG_HOME=${conf} ${cli} doctor --check docker --format json`);
    expect(JSON.parse(doctor.stdout).checks[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^exec-root \/run\/user\/1000\/docker-exec is under \/run/),
    });
  });
});

// Rootful Docker with the runtime's local backend. runc, not crun: the test cluster's cgroup offers
// only the hugetlb controller, and crun refuses Docker's spec there ("controller `io` is not
// available"), which runc ignores.
describe('rootful Docker through slurm-oci-runtime (local backend)', () => {
  const sock = 'unix:///run/docker-rootful.sock';
  const rootful = (script: string) => tbSh(`export DOCKER_HOST=${sock}; timeout -k 5 120 ${script}`);

  beforeAll(async () => {
    const config = {
      'default-runtime': 'slurm',
      runtimes: { slurm: { path: runtime } },
      bridge: 'none',
      iptables: false,
      'ip-forward': false,
      'storage-driver': 'vfs',
      'data-root': '/var/lib/docker-rootful',
      'exec-root': '/run/docker-rootful',
      pidfile: '/run/docker-rootful.pid',
      hosts: [sock],
    };
    const r = await tbSh(
      `cat >/etc/docker-rootful.json
      (SLURM_OCI_BACKEND=runc setsid dockerd --config-file /etc/docker-rootful.json >/var/log/dockerd-rootful.log 2>&1 </dev/null &)
      export DOCKER_HOST=${sock}; for i in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
      docker import /srv/busybox.tar busybox`,
      { input: JSON.stringify(config) },
    );
    expect(r.exitCode).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await tbSh(
      'p=$(cat /run/docker-rootful.pid 2>/dev/null) && kill $p; for i in $(seq 40); do kill -0 $p 2>/dev/null || break; sleep 0.25; done; true',
    );
  });

  test('run, -d, exec, stop, rm', async () => {
    const run = await rootful(`docker run --rm --net=none busybox sh -c 'cat /etc/testbed-marker; exit 7'`);
    expect(run).toMatchObject({ exitCode: 7, stdout: 'inside-busybox' });
    const id = (
      await rootful(`docker run -d --net=none busybox sh -c 'trap "exit 3" TERM; while :; do sleep 0.2; done'`)
    ).stdout.trim();
    expect((await rootful(`docker exec ${id} cat /etc/testbed-marker`)).stdout).toBe('inside-busybox');
    const stop = await rootful(`docker stop -t 30 ${id}`);
    expect(stop.exitCode).toBe(0);
    expect((await rootful(`docker inspect -f '{{.State.ExitCode}}' ${id}`)).stdout).toBe('3');
    expect((await rootful(`docker rm ${id}`)).exitCode).toBe(0);
    expect((await rootful('docker ps -aq --no-trunc')).stdout).not.toContain(id);
    expect((await tbSh(`ls /run/docker-rootful/runtime-runc/moby/containers 2>/dev/null`)).stdout).not.toContain(id);
  });
});
