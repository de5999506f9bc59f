// `spec`: a starter config.json, the same default `slurm-oci bundle create` writes (host network, as
// Slurm runs containers); --rootless applies the bundle rewrite that maps the caller to root in a
// user namespace.
import fs from 'node:fs';
import path from 'node:path';
import { parseFlags, str, bool } from '../argv.js';
import type { Context } from '../context.js';
import { rootlessRewrite } from '../../bundle/rootless.js';
import { defaultSpec } from '../../bundle/spec.js';
import { CliError } from '../../errors.js';

export const usage = '[--rootless] [--bundle DIR]';

const ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'];

export async function run(ctx: Context, args: string[]): Promise<number> {
  const p = parseFlags(args, { rootless: { type: 'bool' }, bundle: { type: 'string', alias: 'b' } }, 'spec');
  if (p.rest.length) throw new CliError(`spec: unexpected argument "${p.rest[0]}"`, 1);
  const file = path.resolve(ctx.cwd, str(p, 'bundle') ?? '.', 'config.json');
  if (fs.existsSync(file)) throw new CliError(`File ${file} exists. Remove it first`, 1);
  const spec = defaultSpec({ args: ['sh'], env: ENV, cwd: '/', uid: 0, gid: 0 });
  (spec.process as { terminal: boolean }).terminal = true;
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const config = bool(p, 'rootless') ? rootlessRewrite(spec, { uid, gid }).config : spec;
  try {
    fs.writeFileSync(file, `${JSON.stringify(config, null, '\t')}\n`, { flag: 'wx' });
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${(error as Error).message}`, 1);
  }
  return 0;
}
