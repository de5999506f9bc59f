// `spec`: a starter config.json, runc's default; --rootless maps the caller's uid/gid to root
// inside a user namespace and drops what an unprivileged user cannot set up.
import fs from 'node:fs';
import path from 'node:path';
import { parseFlags, str, bool } from '../argv.js';
import type { Context } from '../context.js';
import { packageFile } from '../../util/package-root.js';
import { CliError } from '../../errors.js';

export const usage = '[--rootless] [--bundle DIR]';

type Mount = { destination: string; type: string; source: string; options?: string[] };
type Spec = {
  mounts: Mount[];
  linux: { namespaces: { type: string }[]; resources?: unknown; uidMappings?: unknown; gidMappings?: unknown };
};

// runc's own rootless changes to the default spec.
export function makeRootless(spec: Spec, uid: number, gid: number): void {
  spec.linux.namespaces = [...spec.linux.namespaces.filter((n) => n.type !== 'network'), { type: 'user' }];
  spec.linux.uidMappings = [{ containerID: 0, hostID: uid, size: 1 }];
  spec.linux.gidMappings = [{ containerID: 0, hostID: gid, size: 1 }];
  delete spec.linux.resources;
  for (const m of spec.mounts) {
    if (m.options) m.options = m.options.filter((o) => !o.startsWith('gid='));
    if (m.destination === '/sys') Object.assign(m, { type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] });
  }
}

export async function run(_ctx: Context, args: string[]): Promise<number> {
  const p = parseFlags(args, { rootless: { type: 'bool' }, bundle: { type: 'string', alias: 'b' } }, 'spec');
  if (p.rest.length) throw new CliError(`spec: unexpected argument "${p.rest[0]}"`, 1);
  const file = path.resolve(str(p, 'bundle') ?? '.', 'config.json');
  if (fs.existsSync(file)) throw new CliError(`File ${file} exists. Remove it first`, 1);
  const spec = JSON.parse(fs.readFileSync(packageFile('oci-templates/runtime-spec.json'), 'utf8')) as Spec;
  if (bool(p, 'rootless')) makeRootless(spec, process.getuid?.() ?? 0, process.getgid?.() ?? 0);
  try {
    fs.writeFileSync(file, `${JSON.stringify(spec, null, '\t')}\n`, { flag: 'wx' });
  } catch (error) {
    throw new CliError(`cannot write ${file}: ${(error as Error).message}`, 1);
  }
  return 0;
}
