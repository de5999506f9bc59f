// crun and runc on this node: our commands map onto theirs one to one, with their state under
// our root, so a container created here is found again whatever flags later calls bring.
import { CliError } from '../../errors.js';
import type { Context } from '../context.js';
import { capture } from '../spawn.js';
import { normalizeStatus, startRefusal, type OciState } from '../state.js';
import type { ContainerRecord } from '../store.js';
import type { Backend, CreateOptions } from './types.js';

// The backend's global flags for this call: its root, plus the caller's logging and cgroup flags.
export function localGlobals(ctx: Context, record: Pick<ContainerRecord, 'backend' | 'backendRoot'>): string[] {
  const g = ctx.globals;
  const args = ['--root', record.backendRoot];
  if (g.log) args.push('--log', g.log, `--log-format=${g.logFormat}`);
  if (g.debug) args.push('--debug');
  if (g.systemdCgroup) args.push('--systemd-cgroup');
  if (g.rootless !== undefined) args.push(`--rootless=${g.rootless}`);
  if (g.cgroupManager !== undefined) {
    // runc has no --cgroup-manager: systemd is its --systemd-cgroup, the rest is its default
    if (record.backend === 'crun') args.push(`--cgroup-manager=${g.cgroupManager}`);
    else if (g.cgroupManager === 'systemd' && !g.systemdCgroup) args.push('--systemd-cgroup');
  }
  return args;
}

// create/run flags in runc's spelling, which crun shares.
export function createArgs(record: ContainerRecord, o: CreateOptions): string[] {
  const args = ['--bundle', record.runBundle ?? record.bundle];
  if (o.pidFile) args.push('--pid-file', o.pidFile);
  if (o.consoleSocket) args.push('--console-socket', o.consoleSocket);
  if (o.noPivot) args.push('--no-pivot');
  if (o.noNewKeyring) args.push('--no-new-keyring');
  if (o.preserveFds) args.push('--preserve-fds', String(o.preserveFds));
  return args;
}

// Runs the backend with our stdio; a non-zero exit becomes an error carrying its status.
async function inherit(ctx: Context, record: ContainerRecord, args: string[], extraFds = 0): Promise<void> {
  const code = await ctx.io.runInherit(record.binary, [...localGlobals(ctx, record), ...args], extraFds);
  if (code !== 0) throw new CliError(`${record.backend} ${args[0]} ${record.id} failed (exit ${code})`, code || 1);
}

export const local: Backend = {
  async create(ctx, record, options) {
    await inherit(ctx, record, ['create', ...createArgs(record, options), record.id], options.preserveFds);
  },

  // crun/runc refuse a container that is not created; its state is read only then, for runc's
  // wording (reading it first would add a backend run to every `podman run`)
  async start(ctx, record) {
    try {
      await inherit(ctx, record, ['start', record.id]);
    } catch (error) {
      throw startRefusal(this.state(ctx, record).status) ?? error;
    }
  },

  state(ctx, record): OciState {
    const r = capture(record.binary, [...localGlobals(ctx, record), 'state', record.id], 30_000, ctx.env);
    let reported: { pid?: number; status?: string; created?: string; owner?: string } = {};
    if (r.code === 0) {
      try {
        reported = JSON.parse(r.stdout);
      } catch {
        ctx.log('warning', `${record.backend} state ${record.id} printed no JSON: ${r.stdout.slice(0, 200)}`);
      }
    }
    // a container the backend no longer knows (ended `run`, reboot) is stopped, not an error
    return {
      ociVersion: record.ociVersion,
      id: record.id,
      pid: reported.pid ?? 0,
      status: r.code === 0 ? normalizeStatus(reported.status) : 'stopped',
      bundle: record.bundle,
      rootfs: record.rootfs,
      created: reported.created ?? record.created,
      owner: '',
      annotations: record.annotations,
    };
  },

  async kill(ctx, record, signal, all) {
    await inherit(ctx, record, ['kill', ...(all ? ['--all'] : []), record.id, String(signal)]);
  },

  async delete(ctx, record, force) {
    const r = capture(
      record.binary,
      [...localGlobals(ctx, record), 'delete', ...(force ? ['--force'] : []), record.id],
      30_000,
      ctx.env,
    );
    if (r.code !== 0 && !/does not exist|No such file/.test(r.stderr)) {
      throw new CliError(`${record.backend} delete ${record.id} failed: ${r.stderr.trim() || `exit ${r.code}`}`, 1);
    }
  },

  async run(ctx, record, options, detach) {
    const args = ['run', ...createArgs(record, options), ...(detach ? ['--detach'] : []), record.id];
    return ctx.io.runInherit(record.binary, [...localGlobals(ctx, record), ...args], options.preserveFds);
  },

  pids(ctx, record) {
    const { status, pid } = this.state(ctx, record);
    return status === 'stopped' || !pid ? [] : [pid];
  },

  passthrough(ctx, record, command, args) {
    return ctx.io.runInherit(record.binary, [...localGlobals(ctx, record), command, ...args], 0);
  },
};
