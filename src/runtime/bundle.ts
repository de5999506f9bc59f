// Reads and checks a bundle before any backend sees it, with `slurm-oci bundle validate`'s rules:
// config.json must parse and satisfy the OCI runtime-spec schema (errors name the JSON path and
// the rule), the rootfs must exist and there must be a command.
import path from 'node:path';
import { validateBundle, type Spec } from '../bundle/validate.js';

export type Bundle = { dir: string; rootfs: string; config: Spec };

// Loads BUNDLE_DIR (relative to the cwd) and validates it.
export function loadBundle(bundleDir: string): Bundle {
  const dir = path.resolve(bundleDir);
  const { rootfs, spec } = validateBundle(dir);
  return { dir, rootfs, config: spec };
}
