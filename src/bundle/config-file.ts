// Reading and writing a bundle's config.json, with errors that name the file and the fix.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';

// DIR/config.json parsed; throws a CliError when it is missing or not JSON.
export function readBundleConfig(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'config.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(code)}`,
      1,
      'a bundle is a directory holding config.json and the rootfs; make one with `slurm-oci bundle create`',
    );
  }
  try {
    const config = JSON.parse(text) as unknown;
    if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new Error('not a JSON object');
    return config as Record<string, unknown>;
  } catch (error) {
    throw new CliError(
      `${file} is not a JSON object: ${(error as Error).message}`,
      1,
      'fix the file or recreate the bundle',
    );
  }
}

// Writes DIR/config.json atomically (0644: the runtime and scrun read it as other users too).
export function writeBundleConfig(dir: string, config: object): void {
  writeFileAtomic(path.join(dir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`, 0o644);
}
