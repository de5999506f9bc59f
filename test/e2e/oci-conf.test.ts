// oci.conf on the real cluster: generated presets run containers as an ordinary user with exit
// codes passed through; `check oci-conf` agrees on the node; and for every lint fixture the
// linter's verdict (run inside the cluster, version from scontrol) is the one Slurm gives.
import { afterAll, describe, expect, test } from '@jest/globals';
import { projectInside, tbSh, tbUserSh } from '../helpers/testbed.js';

const cli = `${projectInside}/bin/slurm-oci`;
const fixtures = `${projectInside}/test/fixtures/oci-conf/lint`;

// Waits (10 s at most) until the node is idle: a step Slurm failed must not leave it drained.
const WAIT_IDLE = `for i in $(seq 50); do [ "$(sinfo -h -o %T)" = idle ] && exit 0; sleep 0.2; done; sinfo -h -o '%T %E'; exit 1`;

// Installs oci.conf with SCRIPT (as root), reconfigures, and waits until the node is idle again.
async function install(script: string): Promise<void> {
  const r = await tbSh(`set -e; ${script}; chmod 644 /etc/slurm/oci.conf; scontrol reconfigure; ${WAIT_IDLE}`);
  expect(r).toMatchObject({ exitCode: 0 });
}

// `srun --container BUNDLE ARGS` as alice; output through a file (a stuck step must not hang the test).
async function srun(args: string, bundle = '/srv/busybox'): Promise<{ rc: number; out: string }> {
  const r = await tbUserSh(
    `timeout -k 5 60 srun --container ${bundle} ${args} > ~/srun.out 2>&1; echo "rc=$?"; cat ~/srun.out`,
  );
  const [first, ...rest] = r.stdout.split('\n');
  return { rc: Number(first.replace('rc=', '')), out: rest.join('\n').trim() };
}

afterAll(async () => {
  await tbSh('rm -f /etc/slurm/oci.conf; scontrol reconfigure');
});

describe('generated presets on the cluster', () => {
  test('crun-run: the container runs as alice and exit codes pass through', async () => {
    await install(`${cli} generate oci-conf --preset crun-run -o /etc/slurm/oci.conf --force`);
    expect(await srun('cat /etc/testbed-marker')).toEqual({ rc: 0, out: 'inside-busybox' });
    // two tasks of one step on one node: per-task ids (STEP.%t), so the second is not "already exists"
    expect(await srun('-n2 cat /etc/testbed-marker')).toEqual({ rc: 0, out: 'inside-busybox\ninside-busybox' });
    expect((await srun(`sh -c 'exit 3'`)).rc).toBe(3);
  });

  test('check oci-conf on the node passes for that file, as alice', async () => {
    const r = await tbUserSh(
      `${cli} check oci-conf /etc/slurm/oci.conf --bundle /srv/busybox --format json > ~/check.json 2>~/check.err; echo $?; cat ~/check.json; cat ~/check.err >&2`,
    );
    const [rc, ...json] = r.stdout.split('\n');
    const report = JSON.parse(json.join('\n'));
    // the whole report on failure: which step went wrong, with its output
    expect({ rc, report, stderr: r.stderr }).toMatchObject({
      rc: '0',
      report: { slurmVersion: '24.11', mode: 'run', passed: true },
    });
    expect(report.steps[0]).toMatchObject({ key: 'RunTimeRun', exitCode: 3, ok: true });
    // plain `crun kill` reaches the container (`kill -a` signals nothing without a delegated cgroup)
    expect(report.steps.at(-1)).toMatchObject({ note: 'the task stopped after Kill', exitCode: 143 });
  });

  test('runc-run: runs a runc-made rootless bundle, exit code 3 passes through', async () => {
    await install(`${cli} generate oci-conf --preset runc-run -o /etc/slurm/oci.conf --force`);
    const bundle = await tbUserSh(`rm -rf ~/rb && mkdir ~/rb && cd ~/rb && runc spec --rootless &&
      jq '.root.path="/srv/busybox/rootfs" | .root.readonly=true | .process.terminal=false' config.json > c && mv c config.json`);
    expect(bundle.exitCode).toBe(0);
    expect(await srun('cat /etc/testbed-marker', '/home/alice/rb')).toEqual({ rc: 0, out: 'inside-busybox' });
    expect(await srun('-n2 cat /etc/testbed-marker', '/home/alice/rb')).toEqual({
      rc: 0,
      out: 'inside-busybox\ninside-busybox',
    });
    expect((await srun(`sh -c 'exit 3'`, '/home/alice/rb')).rc).toBe(3);
    const check = await tbUserSh(
      `${cli} check oci-conf /etc/slurm/oci.conf --bundle ~/rb > ~/check.txt 2>&1; echo $?; cat ~/check.txt`,
    );
    expect(check.stdout).toMatch(/^0\n[\s\S]*the task stopped after Kill[\s\S]*verdict: PASS/);
  });

  test('slurm-oci-runtime: this project runtime as the RunTime* command', async () => {
    await install(
      `${cli} generate oci-conf --preset slurm-oci-runtime --runtime ${projectInside}/bin/slurm-oci-runtime -o /etc/slurm/oci.conf --force`,
    );
    expect(await srun('cat /etc/testbed-marker')).toEqual({ rc: 0, out: 'inside-busybox' });
    expect(await srun('-n2 cat /etc/testbed-marker')).toEqual({ rc: 0, out: 'inside-busybox\ninside-busybox' });
    expect((await srun(`sh -c 'exit 3'`)).rc).toBe(3);
    const check = await tbUserSh(
      `${cli} check oci-conf /etc/slurm/oci.conf --bundle /srv/busybox > ~/check.txt 2>&1; echo $?; cat ~/check.txt`,
    );
    expect(check.stdout).toMatch(/^0\n[\s\S]*verdict: PASS/);
  });
});

describe('multi-runtime site kit', () => {
  test('the dispatcher runs the site default, or the user own ~/.slurm-oci-run (here: crun)', async () => {
    await install(`rm -rf /tmp/kit && ${cli} generate site --preset multi-runtime --out /tmp/kit 2>/dev/null &&
      mkdir -p /opt/slurm-oci && install -m 755 /tmp/kit/run /tmp/kit/slurm-oci-run-default /opt/slurm-oci/ && cp /tmp/kit/oci.conf /etc/slurm/oci.conf`);
    await tbUserSh('rm -f ~/.slurm-oci-run');
    const byDefault = await srun('cat /etc/testbed-marker');
    expect(byDefault).toMatchObject({
      rc: 127,
      out: expect.stringMatching(/slurm-oci-run-default: .*apptainer: not found/),
    }); // no Apptainer here
    await tbUserSh(`install -m 700 ${projectInside}/test/fixtures/oci-conf/user-runner-crun.sh ~/.slurm-oci-run`);
    expect(await srun('cat /etc/testbed-marker')).toEqual({ rc: 0, out: 'inside-busybox' });
    expect((await srun(`sh -c 'exit 3'`)).rc).toBe(3);
    const check = await tbUserSh(
      `${cli} check oci-conf /etc/slurm/oci.conf --bundle /srv/busybox > ~/check.txt 2>&1; echo $?; cat ~/check.txt`,
    );
    expect(check.stdout).toMatch(/^0\n[\s\S]*the task stopped on SIGTERM[\s\S]*verdict: PASS/);
  });
});

describe('check oci-conf finds what hangs or leaks in Slurm', () => {
  test('crun create/start: Create keeps its output pipe open (the step hang), verdict FAIL', async () => {
    await tbSh(
      `${cli} generate oci-conf --preset crun-create -o /tmp/create.conf 2>/dev/null; chmod 644 /tmp/create.conf`,
    );
    const r = await tbUserSh(
      `${cli} check oci-conf /tmp/create.conf --bundle /srv/busybox --timeout 5 --format json > ~/c.json 2>/dev/null; echo $?; cat ~/c.json`,
    );
    const [rc, ...json] = r.stdout.split('\n');
    expect(rc).toBe('1');
    expect(JSON.parse(json.join('\n')).steps[0]).toMatchObject({
      key: 'RunTimeCreate',
      ok: false,
      note: expect.stringMatching(/wait here forever/),
    });
  });

  test('%t in Kill/Delete: the cleanup id misses the running container, verdict FAIL', async () => {
    const r = await tbUserSh(
      `${cli} check oci-conf ${fixtures}/warn-kill-with-t.conf --bundle /srv/busybox --format json > ~/t.json 2>/dev/null; echo $?; cat ~/t.json`,
    );
    const [rc, ...json] = r.stdout.split('\n');
    expect(rc).toBe('1');
    const steps = JSON.parse(json.join('\n')).steps;
    expect(steps.find((s: { phase: string }) => s.phase === 'kill at cleanup')).toMatchObject({
      ok: false,
      command: expect.stringMatching(/\.-1$/),
    });
  });
});

// Every fixture whose fate in Slurm shows from srun (warn-sudo needs sudo, which the testbed lacks;
// warn-create-mode hangs the step, shown above). Errors must stop the step before anything runs:
// "Task launch failed" (the parser rejected the file) or a slurmstepd fatal (at pattern expansion).
const AGREEMENT = [
  'ok-run',
  'ok-escapes',
  'warn-kill-with-t',
  'warn-repeated-key',
  'err-key-too-new-2205',
  'err-unknown-key',
  'err-bad-boolean',
  'err-bad-create-env-file',
  'err-bad-regex',
  'err-unknown-pattern',
  'err-trailing-percent',
  'err-mixed-modes',
  'err-run-missing-kill',
  'err-create-missing-query',
  'err-unterminated-quote',
  'err-comment-cuts-value',
  'err-no-runtime',
  'err-pattern-too-new',
  'err-ignore-without-run',
];

describe('the linter and Slurm 24.11 agree', () => {
  test.each(AGREEMENT)('%s', async (name) => {
    await install(`cp ${fixtures}/${name}.conf /etc/slurm/oci.conf`);
    const lint = await tbUserSh(`${cli} lint oci-conf /etc/slurm/oci.conf --format json 2>/dev/null`);
    const verdict = JSON.parse(lint.stdout);
    expect(verdict.slurmVersion).toBe('24.11');
    expect(lint.exitCode).toBe(verdict.accepted ? 0 : 1);
    const step = await srun('cat /etc/testbed-marker');
    const slurmAccepts = step.rc === 0 && step.out === 'inside-busybox';
    if (!slurmAccepts) {
      expect(step.rc).not.toBe(0);
      expect(step.out).toMatch(/launch failed|slurmstepd-\w+: fatal/);
    }
    expect({ name, slurmAccepts }).toEqual({ name, slurmAccepts: verdict.accepted });
    expect(await tbSh(WAIT_IDLE)).toMatchObject({ exitCode: 0 });
  });
});

test('missing %b: the linter warns, Slurm takes the file, and the runtime cannot find config.json', async () => {
  await install(`cp ${fixtures}/warn-missing-bundle.conf /etc/slurm/oci.conf`);
  const lint = await tbUserSh(`${cli} lint oci-conf /etc/slurm/oci.conf`);
  expect(lint).toMatchObject({ exitCode: 0, stdout: expect.stringMatching(/warning: RunTimeRun: .*%b/) });
  const step = await srun('cat /etc/testbed-marker');
  expect(step.rc).toBe(1);
  expect(step.out).toMatch(/cannot read the file: config.json/);
});
