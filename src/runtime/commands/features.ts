// `features`: what this runtime can honour whichever backend runs the container (valid against the
// runtime-spec features schema; Docker reads it at daemon start).
import type { Context } from '../context.js';
import { SPEC_VERSION, VERSION } from '../version.js';
import { CliError } from '../../errors.js';

export const usage = '';

// The features document: only what holds for every backend; absent means "unknown" in the spec.
export const features = () => ({
  ociVersionMin: '1.0.0',
  ociVersionMax: SPEC_VERSION,
  hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
  linux: {
    namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'user', 'uts'],
  },
  annotations: {
    'org.slurm-oci.runtime.version': VERSION,
    'org.slurm-oci.runtime.backends': 'scrun,crun,runc',
  },
});

export async function run(ctx: Context, args: string[]): Promise<number> {
  if (args.length) throw new CliError('features takes no arguments', 1);
  ctx.io.write(1, `${JSON.stringify(features(), null, 4)}\n`);
  return 0;
}
