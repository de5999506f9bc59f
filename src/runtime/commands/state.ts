// `state`: the OCI state JSON on stdout, exactly as runc prints it.
import { parseFlags, positionals } from '../argv.js';
import { backendFor } from '../backends/registry.js';
import type { Context } from '../context.js';
import { formatState } from '../state.js';

export const usage = '<container-id>';

export async function run(ctx: Context, args: string[]): Promise<number> {
  const [id] = positionals(parseFlags(args, {}, 'state'), 'state', 1) as [string];
  const record = ctx.store.load(id);
  ctx.io.write(1, formatState((await backendFor(record.backend)).state(ctx, record)));
  return 0;
}
