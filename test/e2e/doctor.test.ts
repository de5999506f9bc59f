// slurm-oci doctor on the real cluster, as alice: healthy once the node is set up, then real faults
// (run dir removed, oci.conf removed or rejected, scrun.lua broken, munged stopped, a store made with
// another driver) each reported as a failure with its fix. oci.conf and scrun.lua come from their generators.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { projectInside, tbSh, tbUserSh } from '../helpers/testbed.js';

const cli = `${projectInside}/bin/slurm-oci`;

type Report = { checks: { name: string; status: string; detail: string; fix?: string }[] };

// Runs doctor as alice (JSON), returning the exit code and the checks by name.
async function doctor(...checks: string[]) {
  const r = await tbUserSh(`${cli} doctor --format json ${checks.map((c) => `--check ${c}`).join(' ')}`);
  const report = JSON.parse(r.stdout) as Report;
  return { exitCode: r.exitCode, stderr: r.stderr, byName: Object.fromEntries(report.checks.map((c) => [c.name, c])) };
}

describe('doctor', () => {
  beforeAll(async () => {
    // alice's Podman set up with this issue's generators (crun stands in for scrun: no oci.conf reconfigure needed).
    const setup = await tbUserSh(`set -e; d=$HOME/.config/containers; mkdir -p $d
      ${cli} generate containers-conf --runtime-path /usr/bin/crun --no-systemd --force -o $d/containers.conf
      ${cli} generate storage-conf --force -o $d/storage.conf`);
    expect(setup.stderr).toBe('');
    const oci = await tbSh(
      `${cli} generate oci-conf --preset crun-run --slurm-version 24.11 -o /etc/slurm/oci.conf --force`,
    );
    expect(oci.exitCode).toBe(0);
    expect((await tbSh(`${cli} generate scrun-lua -o /etc/slurm/scrun.lua --force`)).exitCode).toBe(0);
  });

  test('a set-up node is healthy: every check ok, exit 0', async () => {
    const { exitCode, byName } = await doctor();
    expect(Object.fromEntries(Object.entries(byName).map(([n, c]) => [n, c.status]))).toEqual({
      userns: 'ok',
      'run-user-dir': 'ok',
      subids: 'ok',
      cgroup: 'ok',
      podman: 'ok',
      graphroot: 'ok',
      'num-locks': 'ok',
      docker: 'skip', // alice has no daemon.json here (test/e2e/docker.test.ts sets Docker up)
      munge: 'ok',
      slurm: 'ok',
      'oci-conf': 'ok',
      'scrun-lua': 'ok',
    });
    expect(exitCode).toBe(0);
    expect(byName.graphroot.detail).toBe('graphroot /var/tmp/containers-alice/storage on ext4, driver vfs');
    expect(byName.slurm.detail).toMatch(/^Slurm 24\.11\.\d+, scrun at \/usr\/bin\/scrun$/);
    expect(byName['scrun-lua'].detail).toMatch(/parses \(\/usr\/bin\/luac/);
    expect(byName['oci-conf'].detail).toBe('/etc/slurm/oci.conf present, lint-clean for Slurm 24.11');
  });

  test('/run/user/1000 removed: run-user-dir fails with the prolog fix (no systemd here)', async () => {
    await tbSh('mv /run/user/1000 /run/user/1000.saved');
    try {
      const { exitCode, byName, stderr } = await doctor('run-user-dir');
      expect(exitCode).toBe(1);
      expect(byName['run-user-dir'].status).toBe('fail');
      expect(byName['run-user-dir'].detail).toMatch(/^\/run\/user\/1000 is missing/);
      expect(byName['run-user-dir'].fix).toMatch(/install -d -m 0700 -o alice \/run\/user\/1000/);
      expect(stderr).toMatch(/1 check\(s\) failed: run-user-dir/);
    } finally {
      await tbSh('mv /run/user/1000.saved /run/user/1000');
    }
  });

  test('oci.conf removed: oci-conf fails and names the generator', async () => {
    await tbSh('mv /etc/slurm/oci.conf /etc/slurm/oci.conf.saved');
    try {
      const { exitCode, byName } = await doctor('oci-conf');
      expect(exitCode).toBe(1);
      expect(byName['oci-conf']).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/^\/etc\/slurm\/oci.conf is missing/),
      });
      expect(byName['oci-conf'].fix).toMatch(
        /slurm-oci generate oci-conf --preset crun-run -o \/etc\/slurm\/oci.conf --force/,
      );
    } finally {
      await tbSh('mv /etc/slurm/oci.conf.saved /etc/slurm/oci.conf');
    }
  });

  test("oci.conf that Slurm would reject: oci-conf fails with the line and the linter's fix", async () => {
    await tbSh(
      'cp /etc/slurm/oci.conf /etc/slurm/oci.conf.saved && echo CreateEnvFile=sometimes >> /etc/slurm/oci.conf',
    );
    try {
      const { exitCode, byName } = await doctor('oci-conf');
      expect(exitCode).toBe(1);
      expect(byName['oci-conf'].status).toBe('fail');
      expect(byName['oci-conf'].detail).toMatch(
        /^\/etc\/slurm\/oci.conf: Slurm 24.11 would reject it: line 11: invalid CreateEnvFile value sometimes/,
      );
      expect(byName['oci-conf'].fix).toMatch(/null .*newline.*disabled/);
    } finally {
      await tbSh('mv /etc/slurm/oci.conf.saved /etc/slurm/oci.conf');
    }
  });

  test("scrun.lua with a syntax error: scrun-lua fails with luac's message", async () => {
    await tbSh('cp /etc/slurm/scrun.lua /etc/slurm/scrun.lua.saved && echo "function broken(" >> /etc/slurm/scrun.lua');
    try {
      const { exitCode, byName } = await doctor('scrun-lua');
      expect(exitCode).toBe(1);
      expect(byName['scrun-lua'].status).toBe('fail');
      expect(byName['scrun-lua'].detail).toMatch(/does not parse: .*scrun\.lua:\d+: /);
    } finally {
      await tbSh('mv /etc/slurm/scrun.lua.saved /etc/slurm/scrun.lua');
    }
  });

  test('munged stopped: munge fails with how to start it', async () => {
    // By pid from this instance's own /run: the testbed shares the host's pid namespace with other instances.
    const stop = await tbSh(
      'p=$(cat /run/munge/munged.pid) && kill "$p" && for i in $(seq 25); do kill -0 "$p" 2>/dev/null || exit 0; sleep 0.2; done; exit 1',
    );
    expect(stop.exitCode).toBe(0);
    try {
      const { exitCode, byName } = await doctor('munge');
      expect(exitCode).toBe(1);
      expect(byName.munge.status).toBe('fail');
      expect(byName.munge.detail).toMatch(/munge -n failed: .*socket/i);
      expect(byName.munge.fix).toMatch(/start munged/);
    } finally {
      await tbSh('su -s /bin/sh munge -c "munged --force"');
    }
    expect((await doctor('munge')).byName.munge.status).toBe('ok');
  });

  test('a store made with overlay, then switched to the generated vfs storage.conf: the printed fix works', async () => {
    const conf = '$HOME/.config/containers/storage.conf';
    const made =
      await tbUserSh(`set -e; ${cli} generate storage-conf --driver overlay --graphroot /var/tmp/clash-$USER --force -o ${conf}
      podman info >/dev/null; ${cli} generate storage-conf --graphroot /var/tmp/clash-$USER --force -o ${conf}`);
    expect(made.exitCode).toBe(0);
    try {
      const before = await doctor('podman');
      expect(before.exitCode).toBe(1);
      expect(before.byName.podman.detail).toBe(
        'the store was made with the overlay driver and storage.conf now asks for vfs: podman stops',
      );
      const command = before.byName.podman.fix!.split(' (')[0];
      expect((await tbUserSh(command)).exitCode).toBe(0);
      const after = await doctor('podman', 'graphroot');
      expect(after.byName.podman.status).toBe('ok');
      expect(after.byName.graphroot.detail).toBe('graphroot /var/tmp/clash-alice on ext4, driver vfs');
    } finally {
      await tbUserSh(`${cli} generate storage-conf --force -o ${conf}`);
    }
  });
});
