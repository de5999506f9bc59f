// `slurm-oci bundle rootless`: the TypeScript rewrite applied to a bundle on disk, or only listed.
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { CliError } from '../errors.js';
import { readBundleConfig, writeBundleConfig } from './config-file.js';
import { resolveInRootfs } from './rootfs-path.js';
import { rootlessRewrite, type BindCopy, type RewriteOptions } from './rootless.js';

// Copies each bind source into the rootfs where the container would see its destination (the
// rootfs's symlinks resolved inside it), replacing what is there as the mount would hide it.
async function copyBinds(rootfs: string, copies: BindCopy[]): Promise<void> {
  for (const { source, destination } of copies) {
    const target = resolveInRootfs(rootfs, destination);
    if (target === rootfs)
      throw new CliError(
        `bind mount destination ${destination} is the whole rootfs`,
        1,
        'keep the bind mount (--bind-mounts keep)',
      );
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(target, { recursive: true, force: true });
    const r = await execa('cp', ['-a', '-T', '--', source, target], { reject: false });
    if (r.exitCode !== 0) throw new CliError(`copying bind mount ${source} into the rootfs failed: ${r.stderr}`);
  }
}

// Rewrites DIR/config.json for a rootless runtime (unless DRY_RUN); returns the change list.
export async function applyRootless(dir: string, options: RewriteOptions, dryRun: boolean): Promise<string[]> {
  const original = readBundleConfig(dir);
  const { config, changes, copies } = rootlessRewrite(original, options);
  if (dryRun || !changes.length) return changes;
  const root = (original.root as { path?: unknown } | undefined)?.path;
  if (copies.length && typeof root !== 'string')
    throw new CliError(`${dir}/config.json has no root.path to copy bind mounts into`);
  if (copies.length) await copyBinds(path.resolve(dir, root as string), copies);
  writeBundleConfig(dir, config);
  return changes;
}
