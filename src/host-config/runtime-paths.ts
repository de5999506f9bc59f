// Where the `slurm` runtime that Podman and Docker call may be installed: scrun itself, or our
// runc-compatible slurm-oci-runtime (which runs the container through scrun and fixes its exit codes).
import fs from 'node:fs';
import { packageFile } from '../util/package-root.js';

// The runtimes a host config can point at.
export const runtimeKinds = ['scrun', 'slurm-oci-runtime'] as const;
export type RuntimeKind = (typeof runtimeKinds)[number];

// Candidate paths for KIND, most specific first (Podman takes the first one that exists).
export function runtimeCandidates(kind: RuntimeKind): string[] {
  if (kind === 'scrun') return ['/usr/local/bin/scrun', '/usr/bin/scrun'];
  // the native front first (built when a C compiler was there; see native/front.c), then the Node CLI
  return [
    packageFile('dist/slurm-oci-runtime'),
    packageFile('bin/slurm-oci-runtime'),
    '/usr/local/bin/slurm-oci-runtime',
    '/usr/bin/slurm-oci-runtime',
  ];
}

// The one path for configs that take a single runtime (Docker): the first candidate present, else the first.
export function runtimePath(kind: RuntimeKind): string {
  const candidates = runtimeCandidates(kind);
  return candidates.find((p) => fs.existsSync(p)) ?? candidates[0];
}
