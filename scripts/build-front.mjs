// Compiles the runtime's native front (native/front.c) into dist/slurm-oci-runtime. Run by the build
// and by `npm install` of a packed tarball (the binary is never shipped: it is built for the machine
// it runs on). Without a C compiler there is no front, only the Node CLI, and the install goes on.
// Each compile gets its own id: a runtime server only serves fronts of its own build.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
const id = crypto.randomBytes(4).toString('hex');
const cc = spawnSync(
  process.env.CC || 'cc',
  ['-O2', '-Wall', `-DBUILD_ID="${id}"`, '-o', 'dist/slurm-oci-runtime', 'native/front.c'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (cc.status !== 0) {
  console.warn(
    'build: no C compiler (cc), or it failed: dist/slurm-oci-runtime, the fast front, was not built; bin/slurm-oci-runtime works without it',
  );
}
