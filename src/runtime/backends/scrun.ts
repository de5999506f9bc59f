// scrun: the container runs as a Slurm job. Bare scrun runs the process already at `create`, hands
// Podman its anchor's pid, and that anchor sometimes never reaps its finished srun (Podman hangs)
// and exits 0 for a failed container. So `create` starts a supervisor of ours (scrun/supervise.ts)
// whose pid Podman gets; `start` lets it run scrun create and start; it waits for the anchor and
// srun to end and exits with the container's real code. The container's files and phases are
// scrun/container.ts; scrun's own CLI quirks (-a, --preserve-fds N, exec and friends) are smoothed
// over here.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../../errors.js';
import { packageFile } from '../../util/package-root.js';
import type { Context } from '../context.js';
import { declineIfRemote } from '../io.js';
import { ScrunContainer, type ScrunState } from '../scrun/container.js';
import { isAlive, realHost, type ScrunHost } from '../scrun/host.js';
import { procStat } from '../scrun/proc.js';
import { supervisorMain } from '../scrun/supervise.js';
import { scrunGlobals, stopAnchorAndJob } from '../scrun/stop.js';
import { assertVisibleToSlurm, realIo as visibleIo } from '../scrun/visible-paths.js';
import { startRefusal, type OciState, type Status } from '../state.js';
import type { ContainerRecord } from '../store.js';
import type { Backend, CreateOptions } from './types.js';

const containerOf = (ctx: Context, record: ContainerRecord) => new ScrunContainer(ctx.store.dir(record.id));

// Whether DIR is itself an overlay mount of this mount namespace (Podman's overlay driver): a
// Slurm job, outside this namespace, sees the empty directory underneath.
function isOverlayMount(dir: string): boolean {
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    const mountPoint = left
      ?.split(' ')[4]
      ?.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mountPoint === dir && /^(overlay|fuse\.fuse-overlayfs)$/.test(right?.split(' ')[0] ?? '')) return true;
  }
  return false;
}

// What scrun needs next to slurm.conf: oci.conf and scrun.lua (scrun only finds out at start,
// after Podman has set everything up). The controller is not asked here: that costs every create
// a round trip, and scrun create's failure names it (with a hint) when it does not answer.
function precheck(ctx: Context): void {
  const confDir = path.dirname(ctx.env.SLURM_CONF || '/etc/slurm/slurm.conf');
  if (!fs.existsSync(path.join(confDir, 'slurm.conf'))) return; // configless: scrun fetches them
  for (const file of ['oci.conf', 'scrun.lua']) {
    if (!fs.existsSync(path.join(confDir, file))) {
      throw new CliError(
        `scrun cannot run containers here: ${confDir}/${file} is missing`,
        1,
        file === 'oci.conf'
          ? 'write one with `slurm-oci generate oci-conf`'
          : 'write one with `slurm-oci generate scrun-lua`',
      );
    }
  }
}

// Starts the supervisor (it waits for start) and records it; Podman gets its pid. In the runtime
// server, with HAND (create, not run, whose caller waits itself), the server supervises through
// the caller's hand (io.ts), with no Node start-up; else a Node supervisor of its own.
async function createWithSupervisor(
  ctx: Context,
  record: ContainerRecord,
  options: CreateOptions,
  hand: boolean,
): Promise<ScrunContainer> {
  // rootless Docker: no paths that exist only inside rootlesskit (this call's environment says)
  assertVisibleToSlurm(record, { ...visibleIo, env: ctx.env });
  if (fs.readdirSync(record.rootfs).length === 0 || isOverlayMount(record.rootfs)) {
    throw new CliError(
      `the rootfs ${record.rootfs} is empty outside this mount namespace, so a Slurm job would find no program to run`,
      1,
      "Podman's overlay driver mounts the rootfs inside Podman's own namespace; use the vfs driver " +
        '(storage.conf: driver = "vfs"; `slurm-oci generate storage-conf` writes one)',
    );
  }
  precheck(ctx);
  if (options.preserveFds)
    ctx.log('warning', `--preserve-fds ${options.preserveFds} ignored: scrun cannot pass open files into a Slurm job`);
  const container = containerOf(ctx, record);
  fs.mkdirSync(record.backendRoot, { recursive: true, mode: 0o700 });
  // started by the caller (the native front, from the runtime server): conmon must adopt it
  const served = hand && ctx.io.hand ? await ctx.io.hand() : undefined;
  const pid =
    served?.pid ??
    (await ctx.io.spawnDetached(process.execPath, [
      packageFile('dist/scrun-supervisor.js'),
      ctx.store.root,
      record.id,
    ]));
  // written before the supervisor can look: it reads it once `start` asks, and writes it only then
  container.init({ options, globals: ctx.globals }, { pid, start: procStat(pid)?.start });
  // digits only: go-runc and conmon parse the pid file with atoi
  if (options.pidFile) fs.writeFileSync(options.pidFile, String(pid));
  // a failure before supervision proper (the container's files gone) must not end the server
  if (served)
    void supervisorMain(ctx.store.root, record.id, served)
      .catch(() => 255)
      .then((code) => served.exit(code));
  return container;
}

// What a phase reads as, for Podman, with whether the supervisor still runs.
export function statusOf(state: ScrunState | undefined, alive: boolean): Status {
  if (!state || !alive || state.phase === 'exited' || state.phase === 'failed') return 'stopped';
  return state.phase === 'created' ? 'created' : 'running';
}

// Asks the supervisor to run the container and waits until it runs (the Slurm allocation may
// queue); SIGINT/SIGTERM meanwhile cancel it. Throws scrun's failure as one line.
async function startAndWait(ctx: Context, record: ContainerRecord, host: Pick<ScrunHost, 'stat'>): Promise<void> {
  const container = containerOf(ctx, record);
  const state = container.read();
  if (!state || !isAlive(host, state.supervisor.pid, state.supervisor.start))
    throw new CliError('cannot start a container that has stopped', 1);
  const { supervisor } = state;
  container.requestStart();
  // the caller's (the front passes its signals on)
  const stopForwarding = ctx.io.onSignal((signal) => process.kill(supervisor.pid, signal));
  const waitedSince = Date.now();
  let said = 0;
  try {
    const now = await container.waitFor(() => {
      const s = container.read();
      if (s && s.phase !== 'created' && s.phase !== 'start-requested') return s;
      if (!isAlive(host, supervisor.pid, supervisor.start)) return container.read() ?? s;
      const waited = Math.floor((Date.now() - waitedSince) / 10_000);
      if (waited > said)
        ctx.log('info', `waiting for the Slurm allocation of ${record.id} (${(said = waited) * 10} s)`);
      return undefined;
    });
    if (now?.phase === 'failed') throw new CliError(now.error ?? `scrun create ${record.id} failed`, 1, now.hint);
    if (now?.phase !== 'running' && now?.phase !== 'exited') {
      throw new CliError(
        `the scrun supervisor of ${record.id} ended before the container ran`,
        1,
        `see ${container.supervisorLog}`,
      );
    }
  } finally {
    stopForwarding();
  }
}

// Kills whatever is left of the container on this host and in Slurm. Nothing to do (and served
// by the runtime server) when the supervisor ended it cleanly; else the CLI does the slow part.
async function cleanup(ctx: Context, record: ContainerRecord): Promise<void> {
  const host = realHost(record, ctx.env);
  const state = containerOf(ctx, record).read();
  const supervisorAlive = !!state && isAlive(host, state.supervisor.pid, state.supervisor.start);
  if (!state?.cleaned || supervisorAlive) {
    declineIfRemote(ctx.io, 'scrun cleanup');
    if (state && supervisorAlive) host.kill(state.supervisor.pid, 'SIGKILL');
    await stopAnchorAndJob(
      host,
      ctx.globals,
      record,
      state?.anchor,
      state?.jobId ?? (state?.anchor ? await host.findJob(record.id, new Set()) : undefined),
    );
  }
  fs.rmSync(record.backendRoot, { recursive: true, force: true });
}

export const scrun: Backend = {
  async create(ctx, record, options) {
    await createWithSupervisor(ctx, record, options, true);
  },

  async start(ctx, record) {
    const refusal = startRefusal(this.state(ctx, record).status);
    if (refusal) throw refusal;
    await startAndWait(ctx, record, realHost(record, ctx.env));
  },

  state(ctx, record): OciState {
    const state = containerOf(ctx, record).read();
    const alive = !!state && isAlive(realHost(record, ctx.env), state.supervisor.pid, state.supervisor.start);
    return {
      ociVersion: record.ociVersion,
      id: record.id,
      pid: alive ? state.supervisor.pid : 0,
      status: statusOf(state, alive),
      bundle: record.bundle,
      rootfs: record.rootfs,
      created: record.created,
      owner: '',
      annotations: record.annotations,
    };
  },

  async kill(ctx, record, signal) {
    const state = containerOf(ctx, record).read();
    const host = realHost(record, ctx.env);
    if (state && (state.phase === 'created' || state.phase === 'start-requested')) {
      // no job runs yet: the supervisor stands for the container
      host.kill(state.supervisor.pid, signal);
      return;
    }
    // scrun signals the whole job either way; it rejects -a and older versions take --all as the id
    const r = await host.scrun([...scrunGlobals(ctx.globals, record), 'kill', record.id, String(signal)], 60_000);
    if (r.code === 0) return;
    const why = r.code === 124 ? 'no answer in 60 s' : r.stderr.trim().split('\n').pop() || `exit ${r.code}`;
    const jobId = state?.jobId ?? (await host.findJob(record.id, new Set()));
    if (!jobId) throw new CliError(`scrun kill ${record.id} failed: ${why}`, 1);
    ctx.log('warning', `scrun kill ${record.id} failed: ${why}; signalling job ${jobId} through Slurm instead`);
    await host.cancel(jobId, signal);
  },

  async delete(ctx, record) {
    await cleanup(ctx, record);
  },

  async run(ctx, record, options, detach) {
    const container = await createWithSupervisor(ctx, record, options, false);
    await startAndWait(ctx, record, realHost(record, ctx.env));
    if (detach) return 0;
    const supervisor = container.read()!.supervisor;
    const host = realHost(record, ctx.env);
    const done = await container.waitFor(() => {
      const s = container.read();
      return s?.phase === 'exited' || s?.phase === 'failed' || !isAlive(host, supervisor.pid, supervisor.start)
        ? s
        : undefined;
    });
    return done?.exitCode ?? 255;
  },

  // the supervisor and scrun's anchor
  pids(ctx, record) {
    const state = containerOf(ctx, record).read();
    const host = realHost(record, ctx.env);
    return [state?.supervisor, state?.anchor].filter((p) => p && isAlive(host, p.pid, p.start)).map((p) => p!.pid);
  },
};
