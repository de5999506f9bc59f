// scrun: the container runs as a Slurm job. Bare scrun runs the process already at `create`, hands
// Podman its anchor's pid, and that anchor sometimes never reaps its finished srun (Podman hangs)
// and exits 0 for a failed container. So `create` starts a supervisor of ours (scrun/supervise.ts)
// whose pid Podman gets; `start` lets it run scrun create and start; it watches the anchor, srun
// and the job, and exits with the container's real code within seconds of the end. scrun's own
// CLI quirks (-a, --preserve-fds N, exec and friends) are smoothed over here.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../../errors.js';
import { packageFile } from '../../util/package-root.js';
import type { Context } from '../context.js';
import { log } from '../log.js';
import { readFile, writeFile } from '../scrun/files.js';
import { isAlive } from '../scrun/proc.js';
import { cancelJob } from '../scrun/slurm.js';
import { scrunGlobals, stopAnchorAndJob } from '../scrun/stop.js';
import { assertVisibleToSlurm } from '../scrun/visible-paths.js';
import { capture } from '../spawn.js';
import { startRefusal, type OciState } from '../state.js';
import type { ContainerRecord } from '../store.js';
import type { Backend, CreateOptions } from './types.js';

// Runs one scrun command; a failure becomes one error line with scrun's own message.
function scrunCommand(ctx: Context, record: ContainerRecord, args: string[], timeoutMs = 60_000): void {
  const r = capture(record.binary, [...scrunGlobals(ctx, record), ...args], timeoutMs);
  if (r.code !== 0) {
    const why = r.code === 124 ? `no answer in ${timeoutMs / 1000} s` : r.stderr.trim().split('\n').pop() || `exit ${r.code}`;
    throw new CliError(`scrun ${args[0]} ${record.id} failed: ${why}`, 1);
  }
}

// Whether DIR is itself an overlay mount of this mount namespace (Podman's overlay driver): a
// Slurm job, outside this namespace, sees the empty directory underneath.
function isOverlayMount(dir: string): boolean {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    const mountPoint = left?.split(' ')[4]?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mountPoint === dir && /^(overlay|fuse\.fuse-overlayfs)$/.test(right?.split(' ')[0] ?? '')) return true;
  }
  return false;
}

// What scrun needs before it can allocate: an answering controller, oci.conf and scrun.lua next
// to slurm.conf (scrun only finds out at start, after Podman has set everything up).
function precheck(record: ContainerRecord): void {
  const ping = capture(record.slurm!.scontrol, ['ping'], 10_000);
  if (!/ is UP/.test(ping.stdout)) {
    throw new CliError(`the Slurm controller does not answer: ${(ping.stdout + ping.stderr).trim().split('\n')[0]}`, 1,
      'check `scontrol ping` and SLURM_CONF, or run the container locally with --backend crun');
  }
  const confDir = path.dirname(process.env.SLURM_CONF || '/etc/slurm/slurm.conf');
  if (!fs.existsSync(path.join(confDir, 'slurm.conf'))) return; // configless: scrun fetches them
  for (const file of ['oci.conf', 'scrun.lua']) {
    if (!fs.existsSync(path.join(confDir, file))) {
      throw new CliError(`scrun cannot run containers here: ${confDir}/${file} is missing`, 1,
        file === 'oci.conf' ? 'write one with `slurm-oci generate oci-conf`' : 'write one with `slurm-oci generate scrun-lua`');
    }
  }
}

// Starts the supervisor and waits for its verdict on scrun create; returns it still running.
async function createWithSupervisor(ctx: Context, record: ContainerRecord, options: CreateOptions): Promise<ChildProcess> {
  assertVisibleToSlurm(record); // rootless Docker: no paths that exist only inside rootlesskit
  if (fs.readdirSync(record.rootfs).length === 0 || isOverlayMount(record.rootfs)) {
    throw new CliError(
      `the rootfs ${record.rootfs} is empty outside this mount namespace, so a Slurm job would find no program to run`,
      1,
      "Podman's overlay driver mounts the rootfs inside Podman's own namespace; use the vfs driver " +
        '(storage.conf: driver = "vfs"; `slurm-oci generate storage-conf` writes one)',
    );
  }
  precheck(record);
  if (options.preserveFds) log('warning', `--preserve-fds ${options.preserveFds} ignored: scrun cannot pass open files into a Slurm job`);
  const dir = ctx.store.dir(record.id);
  writeFile(dir, 'create', { options, globals: ctx.globals });
  const child = spawn(process.execPath, [packageFile('dist/scrun-supervisor.js'), dir], {
    detached: true,
    stdio: ['inherit', 'inherit', 'inherit', 'pipe'],
  });
  // the supervisor writes its pid on fd 3 as soon as it runs, and closes it
  let text = '';
  const pipe = child.stdio[3] as NodeJS.ReadableStream & { destroy(): void };
  pipe.setEncoding('utf8');
  for await (const chunk of pipe) text += chunk;
  pipe.destroy();
  if (!/^\d+\n$/.test(text)) throw new CliError('the scrun supervisor failed to start', 1, `see ${dir}/supervisor.log`);
  // digits only: go-runc and conmon parse the pid file with atoi
  if (options.pidFile) fs.writeFileSync(options.pidFile, String(child.pid));
  child.unref();
  return child;
}

// Asks the supervisor to run the container and waits until it runs (the Slurm allocation may
// queue); SIGINT/SIGTERM meanwhile cancel it. Throws scrun's failure as one line.
async function startAndWait(ctx: Context, record: ContainerRecord): Promise<void> {
  const dir = ctx.store.dir(record.id);
  const supervisor = readFile(dir, 'supervisor');
  if (!supervisor || !isAlive(supervisor.pid, supervisor.start)) throw new CliError('cannot start a container that has stopped', 1);
  writeFile(dir, 'start-request', { at: new Date().toISOString() });
  const forward = (signal: NodeJS.Signals) => process.kill(supervisor.pid, signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  try {
    for (let waited = 0; ; waited += 100) {
      if (readFile(dir, 'anchor')) return;
      const failed = readFile(dir, 'failed');
      if (failed) throw new CliError(failed.error, 1, failed.hint);
      if (!isAlive(supervisor.pid, supervisor.start)) {
        throw new CliError(`the scrun supervisor of ${record.id} ended before the container ran`, 1, `see ${dir}/supervisor.log`);
      }
      if (waited > 0 && waited % 10_000 === 0) log('info', `waiting for the Slurm allocation of ${record.id} (${waited / 1000} s)`);
      await sleep(100);
    }
  } finally {
    process.off('SIGINT', forward).off('SIGTERM', forward);
  }
}

// Kills whatever is left of the container on this host and in Slurm.
async function cleanup(ctx: Context, record: ContainerRecord): Promise<void> {
  const dir = ctx.store.dir(record.id);
  const supervisor = readFile(dir, 'supervisor');
  if (supervisor && isAlive(supervisor.pid, supervisor.start)) process.kill(supervisor.pid, 'SIGKILL');
  const anchor = readFile(dir, 'anchor');
  await stopAnchorAndJob(ctx, record, anchor, anchor?.jobId);
  fs.rmSync(record.backendRoot, { recursive: true, force: true });
}

// Local pids that stand for the container (the supervisor and scrun's anchor), for `ps`.
export function scrunPids(ctx: Context, record: ContainerRecord): number[] {
  const dir = ctx.store.dir(record.id);
  return [readFile(dir, 'supervisor'), readFile(dir, 'anchor')]
    .filter((p) => p && isAlive(p.pid, p.start))
    .map((p) => p!.pid);
}

export const scrun: Backend = {
  async create(ctx, record, options) {
    await createWithSupervisor(ctx, record, options);
  },

  async start(ctx, record) {
    const refusal = startRefusal(this.state(ctx, record).status);
    if (refusal) throw refusal;
    await startAndWait(ctx, record);
  },

  state(ctx, record): OciState {
    const dir = ctx.store.dir(record.id);
    const supervisor = readFile(dir, 'supervisor');
    const alive = !!supervisor && isAlive(supervisor.pid, supervisor.start);
    const started = !!readFile(dir, 'start-request');
    return {
      ociVersion: record.ociVersion,
      id: record.id,
      pid: alive ? supervisor.pid : 0,
      status: !supervisor ? 'created' : !alive ? 'stopped' : started ? 'running' : 'created',
      bundle: record.bundle,
      rootfs: record.rootfs,
      created: record.created,
      owner: '',
      annotations: record.annotations,
    };
  },

  async kill(ctx, record, signal) {
    const dir = ctx.store.dir(record.id);
    const supervisor = readFile(dir, 'supervisor');
    if (!readFile(dir, 'anchor') && supervisor) {
      // not started: there is no job yet; the supervisor stands for the container
      process.kill(supervisor.pid, signal);
      return;
    }
    // scrun signals the whole job either way; it rejects -a and older versions take --all as the id
    try {
      scrunCommand(ctx, record, ['kill', record.id, String(signal)]);
    } catch (error) {
      const jobId = readFile(dir, 'anchor')?.jobId;
      if (!jobId || !record.slurm) throw error;
      log('warning', `${(error as Error).message}; signalling job ${jobId} through Slurm instead`);
      cancelJob(record.slurm, jobId, signal);
    }
  },

  async delete(ctx, record) {
    await cleanup(ctx, record);
  },

  async run(ctx, record, options, detach) {
    const supervisor = await createWithSupervisor(ctx, record, options);
    const exited = new Promise<void>((resolve) => supervisor.once('exit', () => resolve()));
    supervisor.ref();
    await startAndWait(ctx, record);
    if (detach) {
      supervisor.unref();
      return 0;
    }
    await exited;
    return readFile(ctx.store.dir(record.id), 'exit')?.exitCode ?? 255;
  },
};
