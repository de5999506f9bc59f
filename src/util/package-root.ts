// Where the installed package lives, so bundled code (dist/, dist/chunks/) and unbundled code
// (src/ under jest) both find schemas/, oci-templates/ and lua/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

// The nearest directory above this module that holds our package.json.
export function packageRoot(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'schemas'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the slurm-oci package root');
    dir = up;
  }
  return (cached = dir);
}

// An absolute path to a file shipped with the package (e.g. 'oci-templates/oci.conf.hbs').
export const packageFile = (relative: string): string => path.join(packageRoot(), relative);

// The installed package's version (what `--version` prints), wherever it is run from.
export const packageVersion = (): string =>
  (JSON.parse(fs.readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
