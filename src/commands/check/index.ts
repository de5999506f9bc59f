// `slurm-oci check <what>`: runs a configuration for real, outside Slurm, and gives a verdict.
import type { CommandModule } from 'yargs';
import ociConf from './oci-conf.js';

const subcommands: CommandModule[] = [ociConf];

export default {
  command: 'check <what>',
  describe: 'Try a config for real, outside Slurm (on a compute node)',
  builder: (y) => y.command(subcommands).demandCommand(1),
  handler: () => {},
} satisfies CommandModule;
