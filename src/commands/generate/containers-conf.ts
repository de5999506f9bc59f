// `slurm-oci generate containers-conf`: Podman's containers.conf with the `slurm` runtime.
import type { Argv, CommandModule } from 'yargs';
import type { OptionsOf } from '../options.js';

const builder = (y: Argv) =>
  y
    .option('runtime', {
      choices: ['scrun', 'slurm-oci-runtime'] as const,
      default: 'scrun' as const,
      describe: 'what the `slurm` runtime runs',
    })
    .option('runtime-path', {
      type: 'string',
      array: true,
      describe: 'path(s) of the runtime, first existing wins (default: usual install paths)',
    })
    .option('runtime-flag', {
      type: 'string',
      array: true,
      describe: 'argument Podman passes to the runtime ([engine.runtimes_flags])',
    })
    .option('systemd', {
      type: 'boolean',
      default: true,
      describe: 'hosts run systemd; --no-systemd: cgroupfs and file logs',
    })
    .option('output', { alias: 'o', type: 'string', describe: 'write to FILE instead of stdout' })
    .option('force', { type: 'boolean', default: false, describe: 'replace an existing FILE' })
    .example('$0 generate containers-conf -o ~/.config/containers/containers.conf', 'per-user Podman through scrun')
    .example(
      '$0 generate containers-conf --runtime slurm-oci-runtime --no-systemd',
      'print, for hosts without systemd',
    );

export default {
  command: 'containers-conf',
  describe: 'Podman containers.conf: runtime `slurm`, host namespaces',
  builder,
  handler: async (argv) => {
    const { generateContainersConf } = await import('../../host-config/generate.js');
    generateContainersConf(argv);
  },
} satisfies CommandModule<object, OptionsOf<typeof builder>>;
