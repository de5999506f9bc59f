// Reads and checks a bundle before any backend sees it: config.json must parse and satisfy the
// OCI runtime-spec schema (errors name the JSON path and the rule), and the rootfs must exist.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { config as validateConfig } from '../generated/oci-validators.cjs';
import { assertValid } from '../schema/validate.js';

export type Bundle = {
  dir: string;
  rootfs: string;
  config: { ociVersion: string; annotations?: Record<string, string>; root?: { path: string }; process?: unknown };
};

// Loads BUNDLE_DIR (relative to the cwd) and validates it.
export function loadBundle(bundleDir: string): Bundle {
  const dir = path.resolve(bundleDir);
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable' : String(error);
    throw new CliError(`bundle ${dir}: ${file} ${why}`, 1, 'pass the bundle directory with --bundle (it holds config.json)');
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch (error) {
    throw new CliError(`bundle ${dir}: config.json is not valid JSON: ${(error as Error).message}`, 1);
  }
  const valid = assertValid<Bundle['config']>(validateConfig, config, `bundle ${dir}: config.json`);
  if (!valid.root?.path) throw new CliError(`bundle ${dir}: config.json has no root.path`, 1);
  const rootfs = path.resolve(dir, valid.root.path);
  if (!fs.statSync(rootfs, { throwIfNoEntry: false })?.isDirectory()) {
    throw new CliError(`bundle ${dir}: root.path ${rootfs} is not a directory`, 1);
  }
  return { dir, rootfs, config: valid };
}
