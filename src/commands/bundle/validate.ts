// `slurm-oci bundle validate DIR`: the runtime-spec schema and the runtime's own preconditions.
import type { CommandModule } from 'yargs';
import { formatOption } from '../options.js';

export default {
  command: 'validate <dir>',
  describe: "Check a bundle's config.json against the OCI runtime-spec schema and that its rootfs exists",
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'bundle directory' })
      .option('format', formatOption)
      .example('$0 bundle validate ~/bb', '')
      .example('$0 bundle validate ~/bb --format json', 'valid or not, the problems as JSON on stdout'),
  handler: async (argv) => {
    const { validateBundleCommand } = await import('../../bundle/commands.js');
    validateBundleCommand(argv as never);
  },
} satisfies CommandModule<object, any>;
