// `slurm-oci generate storage-conf`: Podman's storage.conf on local disk with the vfs driver.
import type { Argv, CommandModule } from 'yargs';
import type { OptionsOf } from '../options.js';

const builder = (y: Argv) =>
  y
    .option('graphroot', {
      type: 'string',
      describe: 'image store, on local disk (default /var/tmp/containers-$USER/storage)',
    })
    .option('runroot', { type: 'string', describe: 'run-time state (default /run/user/$UID/containers)' })
    .option('driver', {
      choices: ['vfs', 'overlay'] as const,
      default: 'vfs' as const,
      describe: 'vfs is needed through scrun',
    })
    .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'replace an existing FILE, and accept a graphroot on a shared filesystem',
    })
    .example('$0 generate storage-conf -o ~/.config/containers/storage.conf', 'store in /var/tmp/containers-$USER')
    .example('$0 generate storage-conf --graphroot /local/scratch/$USER/containers', 'a node-local scratch disk');

export default {
  command: 'storage-conf',
  describe: 'Podman storage.conf: vfs, store on local disk (not NFS)',
  builder,
  handler: async (argv) => {
    const { generateStorageConf } = await import('../../host-config/generate.js');
    generateStorageConf(argv);
  },
} satisfies CommandModule<object, OptionsOf<typeof builder>>;
