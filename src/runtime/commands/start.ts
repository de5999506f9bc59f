// `start`: only a created container may start (runtime-spec), with runc's messages otherwise.
import { parseFlags, positionals } from '../argv.js';
import { backendFor } from '../backends/types.js';
import type { Context } from '../context.js';
import { CliError } from '../../errors.js';

export const usage = '<container-id>';

export async function run(ctx: Context, args: string[]): Promise<number> {
  const [id] = positionals(parseFlags(args, {}, 'start'), 'start', 1) as [string];
  const record = ctx.store.load(id);
  const backend = await backendFor(record.backend);
  const { status } = backend.state(ctx, record);
  if (status === 'running' || status === 'paused') throw new CliError(`cannot start an already running container`, 1);
  if (status === 'stopped') throw new CliError(`cannot start a container that has stopped`, 1);
  await backend.start(ctx, record);
  return 0;
}
