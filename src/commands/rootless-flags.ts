// The rewrite-step flags shared by `generate scrun-lua`, `bundle create` and `bundle rootless`.
import type { Argv } from 'yargs';
import { rootlessSteps } from '../bundle/rootless-steps.js';

// Adds --skip STEP... and --bind-mounts keep|copy.
export const withRootlessFlags = <T>(y: Argv<T>) =>
  y
    .option('skip', {
      type: 'string',
      array: true,
      default: [] as string[],
      choices: rootlessSteps.map((s) => s.name),
      describe: 'rewrite steps to leave out (the list: slurm-oci bundle rootless --help)',
    })
    .option('bind-mounts', {
      choices: ['keep', 'copy'] as const,
      default: 'keep' as const,
      describe: 'keep bind mounts, or copy their sources into the rootfs and drop them',
    });
