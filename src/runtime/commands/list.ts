// `list`: every container in this root, as runc's table, its JSON, or ids only (-q).
import { parseFlags, str, bool } from '../argv.js';
import { backendFor } from '../backends/registry.js';
import type { Context } from '../context.js';
import type { OciState } from '../state.js';
import { CliError } from '../../errors.js';

export const usage = '[--format table|json] [--quiet|-q]';

export async function run(ctx: Context, args: string[]): Promise<number> {
  const p = parseFlags(args, { format: { type: 'string', alias: 'f' }, quiet: { type: 'bool', alias: 'q' } }, 'list');
  const format = str(p, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new CliError(`invalid format "${format}"`, 1, 'use table or json');
  const ids = ctx.store.ids().sort();
  if (bool(p, 'quiet')) {
    ctx.io.write(1, ids.map((id) => `${id}\n`).join(''));
    return 0;
  }
  const states: OciState[] = [];
  for (const id of ids) {
    const record = ctx.store.load(id);
    states.push((await backendFor(record.backend)).state(ctx, record));
  }
  if (format === 'json') {
    ctx.io.write(1, `${JSON.stringify(states.map(({ annotations: _, ...s }) => s))}\n`);
    return 0;
  }
  const rows = [
    ['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER'],
    ...states.map((s) => [s.id, String(s.pid), s.status, s.bundle, s.created, s.owner]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  ctx.io.write(
    1,
    rows
      .map(
        (r) =>
          r
            .map((cell, c) => cell.padEnd(widths[c]! + 2))
            .join('')
            .trimEnd() + '\n',
      )
      .join(''),
  );
  return 0;
}
