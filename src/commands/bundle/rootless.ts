// `slurm-oci bundle rootless DIR [--uid U --gid G] [--dry-run]`: the scrun.lua rewrite, in TypeScript.
import type { CommandModule } from 'yargs';
import { rootlessSteps } from '../../bundle/rootless-steps.js';
import { withRootlessFlags } from '../rootless-flags.js';
import { formatOption, idOption } from '../options.js';

export default {
  command: 'rootless <dir>',
  describe: "Rewrite a bundle's config.json for a rootless runtime (the same steps as the generated scrun.lua)",
  builder: (y) =>
    withRootlessFlags(y)
      .positional('dir', { type: 'string', demandOption: true, describe: 'bundle directory' })
      .option('uid', idOption('uid', "host uid the container's user maps to (default: yours)"))
      .option('gid', idOption('gid', "host gid the container's group maps to (default: yours)"))
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the changes, write nothing' })
      .option('format', formatOption)
      .example('$0 bundle rootless ~/bb --dry-run', 'list what would change')
      .example('$0 bundle rootless ~/bb --skip mapIds --bind-mounts copy', 'apply, keeping the id maps')
      .epilog(`Steps, in order:\n${rootlessSteps.map((s) => `  ${s.name}: ${s.describe}`).join('\n')}`),
  handler: async (argv) => {
    const { rootlessBundleCommand } = await import('../../bundle/commands.js');
    await rootlessBundleCommand(argv as never);
  },
} satisfies CommandModule<object, any>;
