// exec, pause, resume, update and ps: handed to crun/runc unchanged on a local backend. scrun has
// none of them; ps there lists the local processes that stand for the container.
import { parseFlags, str, type FlagSpecs } from '../argv.js';
import { backendFor } from '../backends/registry.js';
import type { Context } from '../context.js';
import { CliError } from '../../errors.js';

export const usage = '[options] <container-id> [arguments]   (see runc/crun for the options)';

const s = { type: 'string' } as const;
const b = { type: 'bool' } as const;
// Flags that take a value, per command: enough to find the container id among the arguments.
const FLAGS: Record<string, FlagSpecs> = {
  exec: {
    'console-socket': s,
    'pidfd-socket': s,
    cwd: s,
    env: { type: 'list', alias: 'e' },
    user: { ...s, alias: 'u' },
    'additional-gids': { type: 'list', alias: 'g' },
    process: { ...s, alias: 'p' },
    'pid-file': s,
    'process-label': s,
    apparmor: s,
    cap: { type: 'list', alias: 'c' },
    'preserve-fds': s,
    cgroup: s,
    tty: { ...b, alias: 't' },
    detach: { ...b, alias: 'd' },
    'no-new-privs': b,
    'ignore-paused': b,
  },
  ps: { format: { ...s, alias: 'f' } },
  pause: {},
  resume: {},
  update: Object.fromEntries(
    [
      'resources',
      'blkio-weight',
      'cpu-period',
      'cpu-quota',
      'cpu-share',
      'cpu-rt-period',
      'cpu-rt-runtime',
      'cpuset-cpus',
      'cpuset-mems',
      'cpu-idle',
      'kernel-memory',
      'kernel-memory-tcp',
      'memory',
      'memory-reservation',
      'memory-swap',
      'pids-limit',
      'l3-cache-schema',
      'mem-bw-schema',
    ].map((n) => [n, n === 'resources' ? { ...s, alias: 'r' } : s]),
  ),
};

export async function run(ctx: Context, args: string[], command: string): Promise<number> {
  const p = parseFlags(args, FLAGS[command]!, command);
  const id = p.rest[0];
  if (!id)
    throw new CliError(`${command}: a container id is required`, 1, `run \`slurm-oci-runtime ${command} --help\``);
  const record = ctx.store.load(id);
  const backend = await backendFor(record.backend);
  if (backend.passthrough) return backend.passthrough(ctx, record, command, args);
  if (command === 'ps') {
    const pids = backend.pids(ctx, record);
    const json = str(p, 'format') === 'json';
    ctx.io.write(1, json ? `${JSON.stringify(pids)}\n` : `PID\n${pids.map((pid) => `${pid}\n`).join('')}`);
    return 0;
  }
  throw new CliError(
    `${command} is not supported by the scrun backend`,
    1,
    'the container runs as a Slurm job; use a local backend (--backend crun) for exec, pause, resume and update',
  );
}
