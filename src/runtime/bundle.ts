// Reads and checks a bundle before any backend sees it, with `slurm-oci bundle validate`'s rules:
// config.json must parse and satisfy the OCI runtime-spec schema (errors name the JSON path and
// the rule), the rootfs must exist and there must be a command.
import fs from 'node:fs';
import path from 'node:path';
import { rootlessRewrite } from '../bundle/rootless.js';
import { validateBundle, type Spec } from '../bundle/validate.js';
import type { Context } from './context.js';

export type Bundle = { dir: string; rootfs: string; config: Spec };

// Loads the bundle in DIR (absolute) and validates it.
export function loadBundle(dir: string): Bundle {
  const { rootfs, spec } = validateBundle(dir);
  return { dir, rootfs, config: spec };
}

// An ordinary user (not root, and not inside Podman's user namespace, where we are uid 0) cannot
// run a config without a user namespace: on the local backends such a bundle gets the same rootless
// rewrite scrun.lua applies, written into DIR/config.json with root.path pointing at the original
// rootfs, so a bundle behaves the same on a laptop as under scrun. Returns DIR, or undefined when
// the bundle runs as it is.
export function rootlessShadow(ctx: Context, bundle: Bundle, dir: string): string | undefined {
  const uid = process.getuid?.() ?? 0;
  const linux = (bundle.config as { linux?: { namespaces?: { type: string }[] } }).linux;
  if (uid === 0 || !linux || linux.namespaces?.some((n) => n.type === 'user')) return undefined;
  const { config, changes } = rootlessRewrite(bundle.config, {
    uid,
    gid: process.getgid?.() ?? 0,
    rootPath: bundle.rootfs,
  });
  fs.mkdirSync(dir, { mode: 0o700 });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  ctx.log('debug', `bundle ${bundle.dir} rewritten for a rootless run: ${changes.join('; ')}`);
  return dir;
}
