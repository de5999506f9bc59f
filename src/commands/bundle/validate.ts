// `slurm-oci bundle validate DIR`: the runtime-spec schema and the runtime's own preconditions.
import type { CommandModule } from 'yargs';

export default {
  command: 'validate <dir>',
  describe: "Check a bundle's config.json against the OCI runtime-spec schema and that its rootfs exists",
  builder: (y) =>
    y
      .positional('dir', { type: 'string', demandOption: true, describe: 'bundle directory' })
      .option('format', { choices: ['text', 'json'] as const, default: 'text' as const, describe: 'output format' })
      .example('$0 bundle validate ~/bb', ''),
  handler: async (argv) => {
    const { validateBundleCommand } = await import('../../bundle/commands.js');
    validateBundleCommand(argv as never);
  },
} satisfies CommandModule<object, any>;
