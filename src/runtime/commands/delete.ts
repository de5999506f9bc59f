// `delete`: frees what the container holds, then forgets it. A running container needs --force
// (with it, the state is not even read: Podman deletes every container so); --force on an id that
// does not exist succeeds (runc), so cleanup can always run.
import { parseFlags, positionals, bool } from '../argv.js';
import { backendFor } from '../backends/registry.js';
import type { Context } from '../context.js';
import { CliError } from '../../errors.js';
import { NoSuchContainer } from '../store.js';

export const usage = '[--force|-f] <container-id>';

export async function run(ctx: Context, args: string[]): Promise<number> {
  const p = parseFlags(args, { force: { type: 'bool', alias: 'f' } }, 'delete');
  const [id] = positionals(p, 'delete', 1) as [string];
  const force = bool(p, 'force');
  let record;
  try {
    record = ctx.store.load(id);
  } catch (error) {
    if (force && error instanceof NoSuchContainer) return 0;
    throw error;
  }
  const backend = await backendFor(record.backend);
  const status = force ? undefined : backend.state(ctx, record).status;
  if (status === 'running' || status === 'paused') {
    throw new CliError(
      `cannot delete container ${id} that is not stopped: ${status}`,
      1,
      'stop it first, or use --force',
    );
  }
  await backend.delete(ctx, record, force);
  ctx.store.remove(id);
  return 0;
}
