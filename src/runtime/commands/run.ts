// `run`: create, start and (unless --detach) wait, returning the container's exit status.
import { parseFlags, bool } from '../argv.js';
import type { Context } from '../context.js';
import { CREATE_FLAGS, createOptions, orForget, prepare } from './create.js';

export const usage = `${'[create options] [--detach] [--keep]'} <container-id>`;

export async function run(ctx: Context, args: string[]): Promise<number> {
  const p = parseFlags(
    args,
    { ...CREATE_FLAGS, detach: { type: 'bool', alias: 'd' }, keep: { type: 'bool' }, 'no-subreaper': { type: 'bool' } },
    'run',
  );
  const options = createOptions(ctx, p);
  const detach = bool(p, 'detach');
  const { record, backend } = await prepare(ctx, p, 'run');
  const code = await orForget(ctx, record, () => backend.run(ctx, record, options, detach));
  if (!detach && !bool(p, 'keep')) {
    await backend.delete(ctx, record, true);
    ctx.store.remove(record.id);
  }
  return code;
}
