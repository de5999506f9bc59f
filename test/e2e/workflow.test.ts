// `slurm-oci workflow` on the real cluster, as alice: the runtime job runs `slurm-oci sandbox serve`
// (rootless Podman, busybox image), the training job runs a small node script against it.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { setupPodman, type PodmanSetup } from '../helpers/podman.js';
import { projectInside, tbUserSh } from '../helpers/testbed.js';

const cli = `${projectInside}/bin/slurm-oci`;
const jobsDir = '$HOME/wf-jobs';
let podman: PodmanSetup;

// The test config: the whole pair fits on the testbed's one node (2 CPUs, 4000 MB, 2 stand-in GPUs).
const config = (port: number, trainingCommand: string, readyTimeout = 120) => `# workflow e2e test config
GPU_PARTITION=debug
CPU_PARTITION=debug
GPU_NODES=1
GPUS_PER_NODE=1
TRAINING_CPUS=1
TRAINING_MEMORY=500M
CPUS_FOR_RUNTIME=1
RUNTIME_MEMORY=1000M
CPUS_PER_WORKER=1
MEMORY_PER_WORKER=256M
MAX_PARALLEL_AGENTS=2
MODEL="test/model-\${USER}"
TIME_LIMIT=10:00
RUNTIME_READY_TIMEOUT=${readyTimeout}
RUNTIME_PORT=${port}
CONTAINER_IMAGE=localhost/busybox
SANDBOX_RUNTIME=default
CONTAINERS_CONF="$HOME/podman-workflow/containers.conf"
CONTAINERS_STORAGE_CONF="$HOME/podman-workflow/storage.conf"
COORDINATION_ROOT=${jobsDir}
TRAINING_COMMAND=${trainingCommand}
`;

// Writes the config as alice and launches it; returns the launch's JSON result.
async function launch(name: string, text: string, extra = ''): Promise<{ dir: string; runtimeJobId: string; trainingJobId: string }> {
  const r = await tbUserSh(`cat > ~/${name}.conf <<'EOF'\n${text}EOF\n${cli} workflow launch --config ~/${name}.conf --json ${extra}`);
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.exitCode).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

const jobState = async (id: string) =>
  (await tbUserSh(`scontrol show job ${id} -o | grep -o 'JobState=[A-Z_]*'`)).stdout.trim().replace('JobState=', '');

// Waits until both jobs have ended (or the time is up) and returns their states.
async function waitForEnd(ids: string[], seconds: number): Promise<string[]> {
  for (let i = 0; i < seconds; i += 2) {
    const active = (await tbUserSh(`squeue -h -j ${ids.join(',')} -o %T`)).stdout.trim();
    if (!active) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  return Promise.all(ids.map(jobState));
}

const mode = async (path: string) => (await tbUserSh(`stat -c %a ${path}`)).stdout.trim();

beforeAll(async () => {
  podman = await setupPodman({ name: 'workflow', runtime: '/usr/bin/crun' });
}, 300_000);

describe('workflow on the real cluster', () => {
  test('launch --wait runs the pair end to end; both jobs COMPLETED; files, modes, no leftovers', async () => {
    const result = await launch('ok', config(18601, "'node /project/test/fixtures/workflow/train.mjs'"), '--wait');
    const { dir, runtimeJobId, trainingJobId } = result;
    expect(dir).toMatch(/\/wf-jobs\/\d{8}_\d{6}_\d+$/);
    expect(dir.endsWith(`_${runtimeJobId}`)).toBe(true);

    expect(await waitForEnd([runtimeJobId, trainingJobId], 180)).toEqual(['COMPLETED', 'COMPLETED']);
    const training = await tbUserSh(`cat ${dir}/training_${trainingJobId}.out`);
    expect(training.stdout).toContain('sandbox said: inside-busybox 42 test/model-alice');
    expect(training.stdout).toContain('training step ok');

    expect(await mode(dir)).toBe('700');
    expect(await mode(`${dir}/runtime_api_key.txt`)).toBe('600');
    const files = (await tbUserSh(`ls ${dir}`)).stdout.split('\n').sort();
    for (const f of ['runtime_url.txt', 'runtime_api_key.txt', 'runtime_ready.flag', 'training_complete.flag', 'ok.conf',
      'launch.json', 'runtime.sbatch', 'training.sbatch', `runtime_${runtimeJobId}.out`, `runtime_${runtimeJobId}.err`,
      `training_${trainingJobId}.out`, `training_${trainingJobId}.err`]) {
      expect(files).toContain(f);
    }
    expect(files).not.toContain('runtime_failed.flag');
    expect((await tbUserSh(`cat ${dir}/runtime_url.txt`)).stdout.trim()).toMatch(/^http:\/\/[^/]+:18601\/?$/);
    // the key is in its file only: not in any log, script or job's command line
    const leak = await tbUserSh(`key=$(cat ${dir}/runtime_api_key.txt); [ \${#key} -ge 16 ] || exit 9; grep -rlF -- "$key" ${dir} | grep -v runtime_api_key.txt; exit 0`);
    expect(leak.exitCode).toBe(0);
    expect(leak.stdout).toBe('');

    const status = JSON.parse((await tbUserSh(`${cli} workflow status ${dir} --json`)).stdout);
    expect(status.runtime.state).toBe('COMPLETED');
    expect(status.training.state).toBe('COMPLETED');
    expect(status.flags).toEqual({ ready: true, complete: true });

    expect((await podman.sh('podman ps -a -q')).stdout).toBe('');
    expect((await tbUserSh('squeue -h -u alice')).stdout).toBe('');
  });

  test('training job cancelled: the runtime job shuts down and removes its containers', async () => {
    const { dir, runtimeJobId, trainingJobId } = await launch('cancel', config(18602, "'sleep 600'"), '--wait');
    for (let i = 0; i < 30 && (await jobState(trainingJobId)) !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 1000));
    const cancel = await tbUserSh(`scancel ${trainingJobId}`);
    expect(cancel.exitCode).toBe(0);
    const started = Date.now();
    expect(await waitForEnd([runtimeJobId, trainingJobId], 90)).toEqual(['COMPLETED', 'CANCELLED']);
    expect(Date.now() - started).toBeLessThan(90_000);
    expect((await tbUserSh(`test -e ${dir}/training_complete.flag`)).exitCode).toBe(0);
    expect((await podman.sh('podman ps -a -q')).stdout).toBe('');
  });

  test('runtime job fails before ready: the training job ends early with a clear message', async () => {
    // something else holds the port, so the sandbox server cannot listen
    const squat = await tbUserSh(`nohup timeout 120 node -e "require('net').createServer().listen(18603)" >/dev/null 2>&1 &
      echo $! > ~/squatter.pid
      for i in $(seq 20); do node -e "require('net').connect(18603).on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" && exit 0; sleep 0.5; done; exit 1`);
    expect(squat.exitCode).toBe(0);
    const { dir, runtimeJobId, trainingJobId } = await launch('fail', config(18603, "'echo should not run'", 300));
    const started = Date.now();
    expect(await waitForEnd([runtimeJobId, trainingJobId], 150)).toEqual(['FAILED', 'FAILED']);
    expect(Date.now() - started).toBeLessThan(150_000); // long before RUNTIME_READY_TIMEOUT=300
    const err = (await tbUserSh(`cat ${dir}/training_${trainingJobId}.err`)).stdout;
    expect(err).toMatch(/error: the sandbox server is not available: the sandbox server exited with status \d+ before it was ready; see runtime_\d+\.err; training not started/);
    expect((await tbUserSh(`cat ${dir}/training_${trainingJobId}.out`)).stdout).not.toContain('should not run');
    expect((await tbUserSh(`cat ${dir}/runtime_failed.flag`)).exitCode).toBe(0);
    await tbUserSh('kill $(cat ~/squatter.pid)');
  });

  test('every launch got its own directory; list shows them newest first', async () => {
    const list = JSON.parse((await tbUserSh(`${cli} workflow list --jobs-dir ${jobsDir} --json`)).stdout);
    const dirs = list.map((e: { dir: string }) => e.dir);
    expect(dirs).toHaveLength(3);
    expect(new Set(dirs).size).toBe(3);
    const ids = list.map((e: { runtime: { id: string } }) => Number(e.runtime.id));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });
});
