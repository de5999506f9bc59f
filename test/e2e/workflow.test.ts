// `slurm-oci workflow` on the real cluster, as alice: the runtime job runs `slurm-oci sandbox serve`
// (rootless Podman, busybox image), the training job runs a small node script against it.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { setupPodman, type PodmanSetup } from '../helpers/podman.js';
import { projectInside, tbUserSh } from '../helpers/testbed.js';

const cli = `${projectInside}/bin/slurm-oci`;
const jobsDir = '$HOME/wf-jobs';
const train = `node ${projectInside}/test/fixtures/workflow/train.mjs`;
// Podman's runtime under the sandbox server: this package's slurm-oci-runtime (crun backend);
// WF_RUNTIME=default uses containers.conf's, which is crun itself.
const RUNTIME = process.env.WF_RUNTIME ?? `${projectInside}/bin/slurm-oci-runtime`;
let podman: PodmanSetup;
let launches = 0;

// The test config: the whole pair fits on the testbed's one node (2 CPUs, 4000 MB, 2 stand-in GPUs).
const config = (o: {
  port: number;
  command: string;
  readyTimeout?: number;
  time?: string;
}) => `# workflow e2e test config
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
TIME_LIMIT=${o.time ?? '10:00'}
RUNTIME_READY_TIMEOUT=${o.readyTimeout ?? 120}
RUNTIME_PORT=${o.port}
CONTAINER_IMAGE=localhost/busybox
SANDBOX_RUNTIME=${RUNTIME}
CONTAINERS_CONF="$HOME/podman-workflow/containers.conf"
CONTAINERS_STORAGE_CONF="$HOME/podman-workflow/storage.conf"
COORDINATION_ROOT=${jobsDir}
TRAINING_COMMAND='${o.command}'
`;

type Launched = { dir: string; runtimeJobId: string; trainingJobId: string; url?: string; stderr: string };

// Writes the config as alice and launches it; returns the launch's JSON result and its stderr.
async function launch(name: string, text: string, extra = ''): Promise<Launched> {
  const r = await tbUserSh(
    `cat > ~/${name}.conf <<'EOF'\n${text}EOF\n${cli} workflow launch --config ~/${name}.conf --json ${extra}`,
  );
  expect(r.stderr).not.toMatch(/internal error/);
  expect(r.exitCode).toBe(0);
  launches++;
  return { ...JSON.parse(r.stdout.trim().split('\n').at(-1)!), stderr: r.stderr };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sh = async (script: string) => (await tbUserSh(script)).stdout;
const jobState = async (id: string) =>
  (await sh(`scontrol show job ${id} -o | grep -o 'JobState=[A-Z_]*'`)).trim().replace('JobState=', '');

// Waits until the jobs have ended (or SECONDS pass) and returns their states.
async function waitForEnd(ids: string[], seconds: number): Promise<string[]> {
  for (let i = 0; i < seconds && (await sh(`squeue -h -j ${ids.join(',')} -o %T`)).trim(); i += 2) await sleep(2000);
  return Promise.all(ids.map(jobState));
}

// Waits until FILE exists in the cluster.
async function waitForFile(file: string, seconds: number): Promise<void> {
  for (let i = 0; i < seconds && (await tbUserSh(`test -e ${file}`)).exitCode !== 0; i++) await sleep(1000);
}

const mode = async (path: string) => (await sh(`stat -c %a ${path}`)).trim();
const noContainersLeft = async () => expect((await podman.sh('podman ps -a -q')).stdout).toBe('');

beforeAll(async () => {
  podman = await setupPodman({ name: 'workflow', runtime: '/usr/bin/crun' });
}, 300_000);

describe('workflow on the real cluster', () => {
  test('launch --wait runs the pair end to end; both jobs COMPLETED; files, modes, no leftovers', async () => {
    const { dir, runtimeJobId, trainingJobId, url, stderr } = await launch(
      'ok',
      config({ port: 18601, command: train }),
      '--wait',
    );
    expect(dir).toMatch(/\/wf-jobs\/\d{8}_\d{6}_\d+$/);
    expect(dir.endsWith(`_${runtimeJobId}`)).toBe(true);
    expect(url).toMatch(/^http:\/\/[^/]+:18601$/);
    expect(stderr).toMatch(/^waiting for the sandbox server: runtime job \d+ \w+, training job \d+ \w+, \d+ s$/m);
    expect(stderr).toMatch(/^sandbox server ready at http:\/\/\S+:18601 after \d+ s$/m);

    expect(await waitForEnd([runtimeJobId, trainingJobId], 180)).toEqual(['COMPLETED', 'COMPLETED']);
    const training = await sh(`cat ${dir}/training_${trainingJobId}.out`);
    expect(training).toContain('sandbox said: inside-busybox 42 test/model-alice');
    expect(training).toContain('training step ok');
    expect(training).toMatch(/openhands runtime ok: http:\/\/[0-9.]+:\d+ alive/);

    expect(await mode(dir)).toBe('700');
    expect(await mode(`${dir}/runtime_api_key.txt`)).toBe('600');
    const files = (await sh(`ls ${dir}`)).split('\n');
    for (const f of [
      'runtime_url.txt',
      'runtime_api_key.txt',
      'runtime_ready.flag',
      'training_complete.flag',
      'ok.conf',
      'launch.json',
      'runtime.sbatch',
      'training.sbatch',
      `runtime_${runtimeJobId}.out`,
      `runtime_${runtimeJobId}.err`,
      `training_${trainingJobId}.out`,
      `training_${trainingJobId}.err`,
    ]) {
      expect(files).toContain(f);
    }
    expect(files).not.toContain('runtime_failed.flag');
    expect((await sh(`cat ${dir}/runtime_url.txt`)).trim()).toBe(url);
    // the key is in its file only: not in any log or script
    const leak = await tbUserSh(
      `key=$(cat ${dir}/runtime_api_key.txt); [ \${#key} -ge 16 ] || exit 9; grep -rlF -- "$key" ${dir} | grep -v runtime_api_key.txt; exit 0`,
    );
    expect(leak.exitCode).toBe(0);
    expect(leak.stdout).toBe('');

    const status = JSON.parse(await sh(`${cli} workflow status ${dir} --json`));
    expect(status.runtime).toMatchObject({ id: runtimeJobId, state: 'COMPLETED', exitCode: 0 });
    expect(status.training).toMatchObject({ id: trainingJobId, state: 'COMPLETED', exitCode: 0 });
    expect(status.flags).toEqual({ ready: true, complete: true });
    expect(status.url).toBe(url);
    expect(status.logs[`training_${trainingJobId}.out`].at(-1)).toMatch(/wrote training_complete.flag \(status 0\)/);
    const human = await sh(`${cli} workflow status ${dir}`);
    expect(human).toContain(`runtime job:  ${runtimeJobId} COMPLETED on `);
    const logs = await sh(`${cli} workflow logs ${dir}`);
    expect(logs).toContain(`==> runtime_${runtimeJobId}.out <==`);
    expect(logs).toContain('sandbox said: inside-busybox 42');
    // --follow returns by itself once both jobs are over
    const follow = await tbUserSh(`timeout 30 ${cli} workflow logs ${dir} --follow`);
    expect(follow.exitCode).toBe(0);
    expect(follow.stdout).toBe(logs);

    await noContainersLeft();
    expect(await sh('squeue -h -u alice')).toBe('');
  });

  test('training job cancelled while it holds a sandbox: the runtime job shuts down and removes it', async () => {
    const { dir, runtimeJobId, trainingJobId } = await launch(
      'cancel',
      config({ port: 18602, command: `${train} hold` }),
      '--wait',
    );
    await waitForFile(`${dir}/training_${trainingJobId}.out`, 30);
    for (let i = 0; i < 30 && !(await sh(`cat ${dir}/training_${trainingJobId}.out`)).includes('holding sandbox'); i++)
      await sleep(1000);
    expect((await podman.sh('podman ps -q')).stdout).not.toBe('');
    expect((await tbUserSh(`scancel ${trainingJobId}`)).exitCode).toBe(0);
    expect(await waitForEnd([runtimeJobId, trainingJobId], 90)).toEqual(['COMPLETED', 'CANCELLED']);
    expect(await sh(`cat ${dir}/runtime_${runtimeJobId}.out`)).toMatch(/removed 1 sandbox container/);
    await noContainersLeft();
  });

  test('training job killed before it can write the flag: the runtime job sees it is gone and stops', async () => {
    // like the OOM killer or a lost node: the batch shell dies by SIGKILL, so no trap runs
    // (with --debug: the jobs log every poll, on stderr, and SKYRL_DEBUG=1 reaches the command)
    const { dir, runtimeJobId, trainingJobId } = await launch(
      'kill',
      config({ port: 18604, command: 'echo debug=$SKYRL_DEBUG; sleep 2; kill -KILL $PPID' }),
      '--wait --debug',
    );
    const states = await waitForEnd([runtimeJobId, trainingJobId], 90);
    expect(states).toEqual(['COMPLETED', 'FAILED']);
    expect((await tbUserSh(`test -e ${dir}/training_complete.flag`)).exitCode).not.toBe(0);
    // the 5 s poll may catch the killed job still COMPLETING (its processes have ended) or already FAILED
    expect(await sh(`cat ${dir}/runtime_${runtimeJobId}.out`)).toMatch(
      /runtime\[\d+\]: the training job (ended \((FAILED|COMPLETING)\)|is no longer known to Slurm); stopping the sandbox server\n/,
    );
    expect(await sh(`cat ${dir}/runtime_${runtimeJobId}.err`)).toMatch(
      new RegExp(`runtime\\[\\d+\\]: job ${trainingJobId} is (PENDING|RUNNING)\\n`),
    );
    expect(await sh(`cat ${dir}/training_${trainingJobId}.out`)).toContain('debug=1');
    await noContainersLeft();
  });

  test('runtime job fails before ready: the training job ends early with a clear message', async () => {
    // something else holds the port, so the sandbox server cannot listen
    const squat =
      await tbUserSh(`nohup timeout 120 node -e "require('net').createServer().listen(18603)" >/dev/null 2>&1 &
      echo $! > ~/squatter.pid
      for i in $(seq 20); do node -e "require('net').connect(18603).on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))" && exit 0; sleep 0.5; done; exit 1`);
    expect(squat.exitCode).toBe(0);
    const { dir, runtimeJobId, trainingJobId } = await launch(
      'fail',
      config({ port: 18603, command: 'echo should not run', readyTimeout: 300 }),
    );
    const started = Date.now();
    expect(await waitForEnd([runtimeJobId, trainingJobId], 150)).toEqual(['FAILED', 'FAILED']);
    expect(Date.now() - started).toBeLessThan(150_000); // long before RUNTIME_READY_TIMEOUT=300
    const err = await sh(`cat ${dir}/training_${trainingJobId}.err`);
    expect(err).toMatch(
      /error: the sandbox server is not available: the sandbox server exited with status \d+ before it was ready; see runtime_\d+\.err; training not started/,
    );
    expect(await sh(`cat ${dir}/training_${trainingJobId}.out`)).not.toContain('should not run');
    expect((await tbUserSh(`test -s ${dir}/runtime_failed.flag`)).exitCode).toBe(0);
    await tbUserSh('kill $(cat ~/squatter.pid)');
  });

  test('--runtime-only serves; --runtime-url trains against it; stop ends it', async () => {
    const server = await launch('server', config({ port: 18605, command: 'false' }), '--runtime-only --wait');
    expect(server.trainingJobId).toBeUndefined();
    const key = `${server.dir}/runtime_api_key.txt`;
    const client = await launch(
      'client',
      config({ port: 18605, command: train }),
      `--runtime-url ${server.url} --api-key-file ${key}`,
    );
    expect(client.runtimeJobId).toBeUndefined();
    expect(client.dir.endsWith(`_${client.trainingJobId}`)).toBe(true);
    expect(await waitForEnd([client.trainingJobId], 120)).toEqual(['COMPLETED']);
    expect(await sh(`cat ${client.dir}/training_${client.trainingJobId}.out`)).toContain('training step ok');
    expect(await mode(`${client.dir}/runtime_api_key.txt`)).toBe('600');
    // the client's completion flag is in its own directory: the shared server keeps running
    expect(await jobState(server.runtimeJobId)).toBe('RUNNING');
    const stop = await tbUserSh(`${cli} workflow stop ${server.dir}`);
    expect(stop.stdout).toContain(`cancelled job ${server.runtimeJobId}`);
    expect(await waitForEnd([server.runtimeJobId], 60)).not.toEqual(['RUNNING']);
    await noContainersLeft();
  });

  test('a runtime job stops by itself shortly before its time limit', async () => {
    const { dir, runtimeJobId } = await launch(
      'limit',
      config({ port: 18606, command: 'false', time: '2' }),
      '--runtime-only --wait',
    );
    const started = Date.now();
    expect(await waitForEnd([runtimeJobId], 150)).toEqual(['COMPLETED']);
    expect(Date.now() - started).toBeLessThan(120_000);
    expect(await sh(`cat ${dir}/runtime_${runtimeJobId}.out`)).toContain(
      'got SIGTERM (scancel or the time limit is near); stopping the sandbox server',
    );
  });

  test('every launch got its own directory; list shows them newest first', async () => {
    const list = JSON.parse(await sh(`${cli} workflow list --jobs-dir ${jobsDir} --limit 100 --json`));
    const dirs = list.map((e: { dir: string }) => e.dir);
    expect(dirs).toHaveLength(launches);
    expect(new Set(dirs).size).toBe(launches);
    const stamps = dirs.map((d: string) => d.split('/').at(-1));
    expect(stamps).toEqual([...stamps].sort().reverse());
  });
});
