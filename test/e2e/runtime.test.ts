// slurm-oci-runtime on the real cluster: rootless Podman as alice with `runtime` pointing at it,
// on the local crun backend and through scrun as a Slurm job. Podman calls the native front, as
// generated host configs make it (crun calls then go through the runtime server, scrun calls and
// the rest through the Node CLI); the sandbox and workflow suites call the Node CLI directly.
import { beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { setupPodman, type PodmanSetup } from '../helpers/podman.js';
import { enableScrun, leftovers, waitForIdleNode } from '../helpers/scrun.js';
import { projectInside, tbSh, tbUserSh } from '../helpers/testbed.js';

const runtime = `${projectInside}/dist/slurm-oci-runtime`;
const busybox = 'localhost/busybox';
// a container process that ends on SIGTERM (a plain `sleep` as pid 1 ignores it)
const sleeper = `sh -c 'trap "exit 143" TERM; sleep 300 & wait'`;

describe('crun backend', () => {
  let podman: PodmanSetup;
  const sh = (script: string) => podman.sh(`export SLURM_OCI_BACKEND=crun; ${script}`);
  beforeAll(async () => {
    podman = await setupPodman({ name: 'rt-crun', runtime });
  });

  test('podman run gives the container output and its exit code', async () => {
    const r = await sh(`podman run --rm ${busybox} sh -c 'cat /etc/testbed-marker; exit 7'`);
    expect(r.stdout).toBe('inside-busybox');
    expect(r.exitCode).toBe(7);
  });

  test('podman run -d, stop and rm leave nothing behind', async () => {
    const r = await sh(
      `podman run -d --name sleeper ${busybox} ${sleeper} >/dev/null && podman stop -t 10 sleeper >/dev/null && ` +
        `podman inspect -f '{{.State.ExitCode}}' sleeper && podman rm sleeper >/dev/null && podman ps -aq | wc -l && ` +
        `${runtime} list -q | wc -l`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toEqual(['143', '0', '0']);
  });

  test('the backend comes from the user config file when nothing else names it', async () => {
    const r = await podman.sh(
      `mkdir -p ~/.config/slurm-oci && echo '{"backend":"crun"}' > ~/.config/slurm-oci/runtime.json && ` +
        `podman run -d --name cfg ${busybox} sleep 30 >/dev/null && ` +
        `grep -o '"backend":"[a-z]*"' $XDG_RUNTIME_DIR/slurm-oci/containers/*/record.json; podman rm -f -t 0 cfg >/dev/null; ` +
        `rm ~/.config/slurm-oci/runtime.json`,
    );
    expect(r.stdout).toBe('"backend":"crun"');
  });

  test("a bundle without a user namespace runs for an ordinary user through the bundle's rootless rewrite", async () => {
    const r = await tbUserSh(
      `set -e; B=/tmp/runc-spec-bundle; rm -rf $B; mkdir -p $B; cd $B; runc spec; ln -s /srv/busybox/rootfs rootfs
sed -i 's/"terminal": true/"terminal": false/; s#"sh"#"sh", "-c", "cat /etc/testbed-marker; exit 4"#' config.json
grep -c '"type": "user"' config.json || true; cd /
${runtime} --backend crun run -b $B plain 2>/dev/null || echo rc=$?; ${runtime} list -q | wc -l`,
    );
    expect(r.stdout).toBe('0\ninside-busybox\nrc=4\n0');
  });

  test('exec passes through to crun with its exit code', async () => {
    const r = await sh(
      `podman run -d --name ex ${busybox} sleep 300 >/dev/null && podman exec ex sh -c 'echo in-exec; exit 3'; echo rc=$?; ` +
        `podman rm -f -t 0 ex >/dev/null`,
    );
    expect(r.stdout).toBe('in-exec\nrc=3');
  });
});

describe('scrun backend', () => {
  let podman: PodmanSetup;
  const sh = (script: string, timeoutMs?: number) => podman.sh(`export SLURM_OCI_BACKEND=scrun; ${script}`, timeoutMs);
  beforeAll(async () => {
    await enableScrun();
    podman = await setupPodman({ name: 'rt-scrun', runtime });
  });
  // the node fits one job at a time: each test starts when the last one's job has gone
  beforeEach(() => waitForIdleNode(), 180_000);

  test('the container runs as a Slurm job and its exit code reaches podman', async () => {
    const r = await sh(
      `timeout -k 5 120 podman run --rm ${busybox} sh -c 'cat /etc/testbed-marker; echo " job=$SLURM_JOB_ID"; exit 7'`,
    );
    expect(r.stdout).toMatch(/^inside-busybox\n job=\d+$/);
    expect(r.exitCode).toBe(7);
  });

  test('50 short runs in a row: no hang, every exit code right, nothing left behind', async () => {
    // output goes to files: a hung run would keep a pipe open (testbed README)
    const r = await sh(
      `fails=0; for i in $(seq 50); do want=$((i % 4)); ` +
        `timeout -k 5 60 podman run --rm ${busybox} sh -c "exit $want" >/tmp/run.out 2>&1; got=$?; ` +
        `[ $got = $want ] || { fails=$((fails+1)); echo "run $i: want $want got $got: $(tail -c 300 /tmp/run.out)"; }; done; echo fails=$fails`,
      1_800_000,
    );
    expect(r.stdout).toMatch(/fails=0$/);
    expect(r.stdout).toBe('fails=0');
    expect(await leftovers()).toEqual([]);
    const jobs = await tbSh(`squeue -h -t PD,R,CG -o %i`);
    expect(jobs.stdout).toBe('');
  }, 1_800_000);

  test("a create that fails once, leaving a job for the container behind: the retried container's code comes back", async () => {
    // a scrun double: the first create of each container leaves a held job with the container's id
    // and fails like an anchor killed by SIGALRM under load; in CI the supervisor then read that
    // stale job (exit code 0) for 3 runs in 50
    const double = `#!/bin/sh
for a; do id=$a; done
case " $* " in *" create "*) if [ ! -e "/tmp/scrun-double/seen-$id" ]; then
  : > "/tmp/scrun-double/seen-$id"; sbatch --hold --container-id="$id" --wrap true >/dev/null
  echo "scrun: fatal: _wait_create_pid: anchor 1 killed by signal 14" >&2; exit 1
fi;; esac
exec /usr/bin/scrun "$@"
`;
    const d = '/tmp/scrun-double';
    const made = await tbSh(
      `rm -rf ${d} && mkdir -m 1777 ${d} && cat > ${d}/scrun && chmod 755 ${d}/scrun && echo '{"paths":{"scrun":"${d}/scrun"}}' > ${d}/runtime.json`,
      { input: double },
    );
    expect(made.stderr).toBe('');
    const r = await sh(
      `export SLURM_OCI_RUNTIME_CONFIG=${d}/runtime.json; for want in 2 3; do ` +
        `timeout -k 5 90 podman run --rm ${busybox} sh -c "exit $want" >/tmp/double.out 2>&1; echo $?; done; ls ${d} | grep -c seen-`,
      300_000,
    );
    expect(r.stdout).toBe('2\n3\n2');
    expect(await leftovers()).toEqual([]);
    expect((await tbSh(`squeue -h -t PD,R,CG -o %i`)).stdout).toBe('');
  }, 300_000);

  test('podman run -d, stop and rm: the job is cancelled and nothing is left', async () => {
    const r = await sh(
      `podman run -d --name sj ${busybox} ${sleeper} >/dev/null && sleep 2 && squeue -h -u alice -t R -o %i | wc -l && ` +
        `timeout -k 5 60 podman stop -t 10 sj >/dev/null && podman inspect -f '{{.State.ExitCode}}' sj && ` +
        `timeout -k 5 60 podman rm sj >/dev/null && podman ps -aq | wc -l`,
      180_000,
    );
    // SIGTERM reaches the job through `scrun kill`; whether crun inside passes it on decides
    // between the container's own 143 and Slurm's follow-up kill (137): either way a real code
    const [running, code, left] = r.stdout.split('\n');
    expect([running, left]).toEqual(['1', '0']);
    expect(['143', '137']).toContain(code);
    expect(await leftovers()).toEqual([]);
    expect((await tbSh(`squeue -h -u alice -t R,PD | wc -l`)).stdout).toBe('0');
  }, 180_000);

  test("an overlay store gets the runtime's own message, not a missing /usr/bin/sh", async () => {
    const overlay = await setupPodman({ name: 'rt-overlay', runtime, driver: 'overlay' });
    const r = await overlay.sh(`SLURM_OCI_BACKEND=scrun timeout -k 5 60 podman run --rm ${busybox} true`);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/rootfs .* is empty outside this mount namespace/);
    expect(r.stderr).toMatch(/vfs/);
  });

  test('SIGTERM while the allocation waits cancels it and leaves nothing', async () => {
    const r = await tbUserSh(
      `set -u; B=/tmp/bundle-pending; rm -rf $B; mkdir -p $B; cp /srv/busybox/config.json $B/; ln -s /srv/busybox/rootfs $B/rootfs
hold=$(sbatch --parsable --exclusive --wrap 'sleep 300')
${runtime} --backend scrun create -b $B pend && { ${runtime} start pend 2>/tmp/pend.err & p=$!; }
sleep 5; squeue -h -u alice -t PD -o %i | grep -v -x "$hold" | wc -l; kill -TERM $p; wait $p; echo start=$?
sleep 1; squeue -h -u alice -t PD,R -o %i | grep -v -x "$hold" | wc -l; scancel $hold
${runtime} delete --force pend; echo delete=$?; ${runtime} list -q | wc -l; cat /tmp/pend.err >&2`,
      { timeout: 120_000 },
    );
    expect(r.stdout.split('\n')).toEqual(['1', 'start=1', '0', 'delete=0', '0']);
    expect(r.stderr).toBe(
      'slurm-oci-runtime: scrun create pend failed: interrupted; the Slurm allocation was cancelled',
    );
    expect(await leftovers()).toEqual([]);
  }, 120_000);

  test('no oci.conf: one clear line at create, nothing left', async () => {
    await tbSh('mv /etc/slurm/oci.conf /etc/slurm/oci.conf.off');
    try {
      const r = await sh(`timeout -k 5 60 podman run --rm ${busybox} true`);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/scrun cannot run containers here: \/etc\/slurm\/oci\.conf is missing/);
      expect((await tbUserSh(`${runtime} list -q | wc -l`)).stdout).toBe('0');
    } finally {
      await tbSh('mv /etc/slurm/oci.conf.off /etc/slurm/oci.conf');
    }
  });

  test('a created container that never started can be killed and deleted', async () => {
    const r = await tbUserSh(
      `B=/tmp/bundle-created; rm -rf $B; mkdir -p $B; cp /srv/busybox/config.json $B/; ln -s /srv/busybox/rootfs $B/rootfs
${runtime} --backend scrun create -b $B never >/dev/null 2>&1; ${runtime} state never | grep -o '"status": "[a-z]*"'
${runtime} kill never TERM; sleep 1; ${runtime} state never | grep -o '"status": "[a-z]*"'; ${runtime} delete never; echo delete=$?`,
    );
    expect(r.stdout.split('\n')).toEqual(['"status": "created"', '"status": "stopped"', 'delete=0']);
    expect(await leftovers()).toEqual([]);
  });

  test('exec is refused with a clear message', async () => {
    const r = await sh(
      `podman run -d --name nx ${busybox} sleep 300 >/dev/null; podman exec nx true; echo rc=$?; timeout -k 5 60 podman rm -f -t 2 nx >/dev/null`,
      180_000,
    );
    expect(r.stderr).toMatch(/exec is not supported by the scrun backend/);
    expect(r.stdout).toMatch(/rc=[1-9]/);
  }, 180_000);
});
