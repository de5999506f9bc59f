// `slurm-oci bundle create DIR (--image | --rootfs | --tar) [--rootless] [-- CMD...]`.
import type { CommandModule } from 'yargs';
import { withRootlessFlags } from '../rootless-flags.js';
import { CliError } from '../../errors.js';
import { formatOption } from '../options.js';

export default {
  command: 'create <dir>',
  describe: 'Make a bundle (rootfs/ + config.json) from a Podman image, a directory or a tarball',
  builder: (y) =>
    withRootlessFlags(y)
      .positional('dir', { type: 'string', demandOption: true, describe: 'new (or empty) bundle directory' })
      .option('image', { type: 'string', describe: 'a Podman image, unpacked with podman create + export' })
      .option('rootfs', { type: 'string', describe: 'a directory copied as the rootfs (cp --reflink=auto)' })
      .option('tar', { type: 'string', describe: 'a tarball unpacked as the rootfs' })
      .conflicts('image', ['rootfs', 'tar'])
      .conflicts('rootfs', 'tar')
      .check((argv) => {
        if (argv.image || argv.rootfs || argv.tar) return true;
        throw new CliError('give one of --image, --rootfs or --tar', 2, 'see `slurm-oci bundle create --help`');
      })
      .option('rootless', {
        type: 'boolean',
        default: false,
        describe: 'rewrite config.json for a rootless runtime run by you',
      })
      .option('format', formatOption)
      .example('$0 bundle create ~/bb --image docker.io/library/busybox --rootless -- sh -c "echo hi"', '')
      .example('$0 bundle create /shared/bb --tar busybox.tar --rootless && srun --container /shared/bb true', ''),
  handler: async (argv) => {
    const { createBundleCommand } = await import('../../bundle/commands.js');
    await createBundleCommand(argv as never);
  },
} satisfies CommandModule<object, any>;
