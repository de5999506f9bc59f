// `start`: only a created container may start (runtime-spec); the backends refuse with runc's
// messages (see startRefusal).
import { parseFlags, positionals } from '../argv.js';
import { backendFor } from '../backends/registry.js';
import type { Context } from '../context.js';

export const usage = '<container-id>';

export async function run(ctx: Context, args: string[]): Promise<number> {
  const [id] = positionals(parseFlags(args, {}, 'start'), 'start', 1) as [string];
  const record = ctx.store.load(id);
  await (await backendFor(record.backend)).start(ctx, record);
  return 0;
}
