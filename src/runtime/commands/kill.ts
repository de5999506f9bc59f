// `kill`: validate the signal before anything is sent; a stopped container is an error unless
// --all (runc keeps that for Podman's cleanup, which runs `kill --all ID 9` after every stop).
import { parseFlags, positionals, bool } from '../argv.js';
import { backendFor } from '../backends/registry.js';
import type { Context } from '../context.js';
import { parseSignal } from '../signals.js';
import { CliError } from '../../errors.js';

export const usage = '[--all|-a] <container-id> [signal]';

export async function run(ctx: Context, args: string[]): Promise<number> {
  const p = parseFlags(args, { all: { type: 'bool', alias: 'a' } }, 'kill');
  const [id, signalArg] = positionals(p, 'kill', 1, 2) as [string, string?];
  const signal = parseSignal(signalArg);
  const record = ctx.store.load(id);
  const backend = await backendFor(record.backend);
  if (backend.state(ctx, record).status === 'stopped') {
    if (bool(p, 'all')) return 0;
    throw new CliError('container not running', 1);
  }
  await backend.kill(ctx, record, signal, bool(p, 'all'));
  return 0;
}
