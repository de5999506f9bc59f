// The sandbox pool across nodes (issue 12) on its own three-node instance (`<TESTBED_NAME>-pool`):
// `workflow launch` with RUNTIME_NODES=3 runs a worker per node by srun and the front on n1;
// sandboxes land on all three nodes (each sees its node's address), killing one worker fails only
// its sandboxes and new starts go elsewhere, /metrics on every worker and the front count what
// the test did, and when training ends nothing is left: no container, no job, no server.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { shellQuote } from '../../src/util/shell.js';
import { setupPodman, type PodmanSetup } from '../helpers/podman.js';
import { projectInside, repoRoot, testbedInstance } from '../helpers/testbed.js';

const pool = testbedInstance({
  TESTBED_NAME: `${process.env.TESTBED_NAME || 'e2e'}-pool`,
  TESTBED_NODES: '3',
  TESTBED_BIND: repoRoot,
});
const cli = `${projectInside}/bin/slurm-oci`;
const call = `node ${projectInside}/test/fixtures/pool/call.mjs`;
const ADDRESS: Record<string, string> = { n1: '10.77.0.11', n2: '10.77.0.12', n3: '10.77.0.13' };
const PORT = 18701;
let podman: PodmanSetup;

// Runs SCRIPT as alice (two minutes at most); exit code as data.
const alice = (script: string, input?: string) =>
  pool.userSh(`timeout -k 5 120 sh -c ${shellQuote(script)}`, { input });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Three nodes, 3 sandboxes each; the training job waits for ~/pool-go, then uses the pool once.
const config = `# pool e2e test config
GPU_PARTITION=debug
CPU_PARTITION=debug
GPU_NODES=1
GPUS_PER_NODE=1
TRAINING_CPUS=1
TRAINING_MEMORY=500M
RUNTIME_NODES=3
CPUS_FOR_RUNTIME=1
RUNTIME_MEMORY=1000M
CPUS_PER_WORKER=1
MEMORY_PER_WORKER=256M
MAX_PARALLEL_AGENTS=3
TIME_LIMIT=15:00
RUNTIME_READY_TIMEOUT=180
RUNTIME_PORT=${PORT}
CONTAINER_IMAGE=localhost/busybox
SANDBOX_RUNTIME=/usr/bin/crun
CONTAINERS_CONF="$HOME/podman-pool/containers.conf"
CONTAINERS_STORAGE_CONF="$HOME/podman-pool/storage.conf"
COORDINATION_ROOT=$HOME/pool-jobs
MODEL=pool-model
TRAINING_COMMAND='while [ ! -e "$HOME/pool-go" ]; do sleep 1; done; node ${projectInside}/test/fixtures/workflow/train.mjs'
`;

type Answer = { status: number; body: any };
let dir = '';
// One call to the front (or to a whole URL) from inside the cluster.
async function front(method: string, path: string, body?: object): Promise<Answer> {
  const r = await alice(
    `${call} ${shellQuote(dir)} ${method} ${shellQuote(path)}${body ? ` ${shellQuote(JSON.stringify(body))}` : ''}`,
  );
  if (r.exitCode !== 0) throw new Error(`${method} ${path} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim());
}

// "PID ARGV" of this machine's processes whose argv matches RE.
function processes(re: RegExp): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (re.test(argv)) found.push(`${pid} ${argv}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const counter = (text: string, name: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${name} `))
      ?.split(' ')[1] ?? 'NaN',
  );

beforeAll(async () => {
  await pool.command(['down']);
  const up = await pool.command(['up']);
  if (up.exitCode !== 0) throw new Error(`testbed up with 3 nodes failed:\n${up.stdout}\n${up.stderr}`);
  podman = await setupPodman({ name: 'pool', runtime: '/usr/bin/crun', userSh: pool.userSh });
}, 600_000);

afterAll(async () => {
  if (process.env.TESTBED_KEEP !== '1') await pool.command(['down']);
});

describe('a sandbox pool over three nodes', () => {
  const started: { id: string; node: string }[] = [];
  let runtimeJob = '';
  let trainingJob = '';

  test('workflow launch with RUNTIME_NODES=3: a worker on each node, the front on n1 is the one URL', async () => {
    const r = await alice(
      `rm -f ~/pool-go; cat > ~/pool.conf; ${cli} workflow launch --config ~/pool.conf --json --wait`,
      config,
    );
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.exitCode).toBe(0);
    const launched = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    ({ dir, runtimeJobId: runtimeJob, trainingJobId: trainingJob } = launched);
    expect(launched.url).toBe(`http://${ADDRESS.n1}:${PORT}`);
    const health = await front('GET', '/health');
    expect(health.body.workers).toEqual(
      ['n1', 'n2', 'n3'].map((node) =>
        expect.objectContaining({ node, url: `http://${ADDRESS[node]}:${PORT + 1}`, up: true, slots: 3 }),
      ),
    );
    const job = await alice(`scontrol show job ${runtimeJob} -o`);
    expect(job.stdout).toMatch(/NumNodes=3 /);
  }, 300_000);

  test('sandboxes land on all three nodes, each on its node; an OpenHands start answers with its node address', async () => {
    for (let i = 0; i < 5; i++) {
      const s = await front('POST', '/sandboxes', {});
      expect(s.status).toBe(201);
      started.push({ id: s.body.id, node: s.body.node });
    }
    const openhands = await front('POST', '/start', {
      image: 'localhost/busybox',
      command: 'mkdir -p /tmp/www && echo ok > /tmp/www/alive && exec httpd -f -p 88888888 -h /tmp/www',
      session_id: 'pool-session',
    });
    expect(openhands.status).toBe(200);
    started.push({ id: openhands.body.runtime_id, node: openhands.body.node });
    expect(started.map((s) => s.node).sort()).toEqual(['n1', 'n1', 'n2', 'n2', 'n3', 'n3']);
    expect(openhands.body.url).toMatch(
      new RegExp(`^http://${ADDRESS[openhands.body.node]?.replaceAll('.', '\\.')}:\\d+$`),
    );
    expect((await front('GET', `${openhands.body.url}/alive`)).status).toBe(200);
    for (const s of started.slice(0, 5)) {
      const r = await front('POST', `/sandboxes/${s.id}/exec`, { command: ['sh', '-c', 'ip -4 -o addr show eth0'] });
      expect(r.body).toMatchObject({ exit_code: 0, stdout: expect.stringContaining(`inet ${ADDRESS[s.node]}/24`) });
    }
    expect((await front('GET', '/sessions/pool-session')).body).toMatchObject({
      runtime_id: openhands.body.runtime_id,
      status: 'running',
    });
    expect((await front('GET', '/list')).body.runtimes).toHaveLength(6);
    expect((await podman.sh('podman ps -q | wc -l')).stdout.trim()).toBe('6');
  }, 300_000);

  test('/metrics on every worker and the front count the starts, execs and sandboxes', async () => {
    const text = (await front('GET', '/metrics')).body as string;
    expect(counter(text, 'slurm_oci_sandbox_start_seconds_count{node="n1",outcome="ok"}')).toBe(6);
    expect(counter(text, 'slurm_oci_sandbox_exec_seconds_count{node="n1"}')).toBe(5);
    for (const node of ['n1', 'n2', 'n3']) {
      expect(counter(text, `slurm_oci_sandboxes{node="${node}",state="running"}`)).toBe(2);
      expect(counter(text, `slurm_oci_pool_worker_up{node="${node}"}`)).toBe(1);
      const worker = (await front('GET', `http://${ADDRESS[node]}:${PORT + 1}/metrics`)).body as string;
      expect(counter(worker, `slurm_oci_sandboxes{node="${node}",state="running"}`)).toBe(2);
      expect(counter(worker, `slurm_oci_sandbox_start_seconds_count{node="${node}",outcome="ok"}`)).toBe(2);
      expect(counter(worker, `slurm_oci_sandbox_slots{node="${node}"}`)).toBe(3);
      expect(counter(worker, `slurm_oci_sandbox_queue_length{node="${node}"}`)).toBe(0);
      const execs = started.filter((s, i) => i < 5 && s.node === node).length;
      expect(counter(worker, `slurm_oci_sandbox_exec_seconds_count{node="${node}"}`)).toBe(execs);
    }
  }, 120_000);

  test("killing n2's worker fails only its sandboxes; its containers go; new starts go to n1 and n3", async () => {
    const victims = processes(new RegExp(`sandbox serve .*--coordination-dir ${escape(dir)}/workers/n2( |$)`));
    expect(victims).toHaveLength(1);
    process.kill(Number(victims[0]!.split(' ')[0]), 'SIGKILL');
    let health: Answer | undefined;
    for (let i = 0; i < 30; i++) {
      health = await front('GET', '/health');
      if (health.body.workers[1].up === false) break;
      await sleep(1000);
    }
    expect(health!.body.workers[1]).toMatchObject({ node: 'n2', up: false });
    for (const s of started.filter((x) => x.node === 'n2')) {
      const r =
        s.id === started[5]!.id ? await front('GET', `/runtime/${s.id}`) : await front('GET', `/sandboxes/${s.id}`);
      expect(r.body).toMatchObject({ status: 'failed', reason: expect.stringMatching(/worker on n2 died/) });
    }
    for (const s of started.slice(0, 5).filter((x) => x.node !== 'n2')) {
      expect((await front('POST', `/sandboxes/${s.id}/exec`, { command: ['true'] })).body).toMatchObject({
        exit_code: 0,
      });
    }
    expect((await front('GET', '/list')).body.runtimes.map((r: { node: string }) => r.node).sort()).toEqual([
      'n1',
      'n1',
      'n3',
      'n3',
    ]);
    for (let i = 0; i < 2; i++) {
      const s = await front('POST', '/sandboxes', {});
      expect(s.status).toBe(201);
      expect(s.body.node).not.toBe('n2');
      started.push({ id: s.body.id, node: s.body.node });
    }
    // the wrapper removed what the killed worker left: 4 + 2 containers run
    let running = '';
    for (let i = 0; i < 30 && running !== '6'; i++) {
      running = (await podman.sh('podman ps -a -q | wc -l')).stdout.trim();
      if (running !== '6') await sleep(1000);
    }
    expect(running).toBe('6');
    const metrics = (await front('GET', '/metrics')).body as string;
    expect(counter(metrics, 'slurm_oci_pool_worker_up{node="n2"}')).toBe(0);
    expect(counter(metrics, 'slurm_oci_sandboxes{node="n2",state="failed"}')).toBe(2);
    const status = await alice(`${cli} workflow status ${shellQuote(dir)}`);
    expect(status.stdout).toMatch(/ {2}n1 +http:\/\/10\.77\.0\.11:18702 {2}\d\/3 slots used/);
    expect(status.stdout).toMatch(/ {2}n2 +http:\/\/10\.77\.0\.12:18702 {2}DEAD/);
  }, 300_000);

  test('training uses the pool and ends; then nothing is left: no container, no job, no server', async () => {
    // every slot of n1 and n3 is taken: free two, so training's sandbox has room
    for (const s of started.slice(6)) expect((await front('DELETE', `/sandboxes/${s.id}`)).status).toBe(204);
    expect((await alice('touch ~/pool-go')).exitCode).toBe(0);
    for (let i = 0; i < 120 && (await alice(`squeue -h -j ${runtimeJob},${trainingJob}`)).stdout.trim(); i++)
      await sleep(2000);
    expect((await alice(`squeue -h`)).stdout.trim()).toBe('');
    for (const job of [runtimeJob, trainingJob])
      expect((await alice(`scontrol show job ${job} -o`)).stdout).toMatch(/JobState=COMPLETED /);
    const training = await alice(`cat ${shellQuote(dir)}/training_${trainingJob}.out`);
    expect(training.stdout).toContain('sandbox said: inside-busybox 42 pool-model');
    const runtime = await alice(
      `cat ${shellQuote(dir)}/runtime_${runtimeJob}.out ${shellQuote(dir)}/runtime_${runtimeJob}.err`,
    );
    expect(runtime.stdout).toMatch(/worker on n2 .*(died|is gone)/);
    expect(runtime.stdout).toMatch(/the sandbox workers stopped/);
    expect(runtime.stdout).toMatch(/the sandbox server stopped \(status 0\)/);
    expect((await podman.sh('podman ps -a -q')).stdout).toBe('');
    expect(processes(new RegExp(`sandbox (serve|front) .*${escape(dir)}`))).toEqual([]);
  }, 300_000);
});
