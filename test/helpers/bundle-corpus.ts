// The config.json corpus both rewrites are checked on: the runtime-spec's good examples, and what
// `crun spec`, `runc spec` (plain and --rootless) and rootless Podman 5.4 wrote on the testbed
// (test/fixtures/bundle-configs, captured with crun 1.21 and runc 1.1.15).
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './testbed.js';

const dirs = ['test/fixtures/oci-runtime-spec/config/good', 'test/fixtures/bundle-configs'];

// Every corpus file: a short name, its path in the repository and the parsed config.
export const bundleCorpus = (): { name: string; file: string; config: Record<string, unknown> }[] =>
  dirs.flatMap((dir) =>
    fs
      .readdirSync(path.join(repoRoot, dir))
      .sort()
      .map((f) => ({
        name: f.replace(/\.json$/, ''),
        file: `${dir}/${f}`,
        config: JSON.parse(fs.readFileSync(path.join(repoRoot, dir, f), 'utf8')) as Record<string, unknown>,
      })),
  );
