// `slurm-oci lint <what>`: static checks that say what Slurm will make of a file.
import type { CommandModule } from 'yargs';
import ociConf from './oci-conf.js';

const subcommands: CommandModule[] = [ociConf];

export default {
  command: 'lint <what>',
  describe: 'Check a config file the way Slurm will read it',
  builder: (y) => y.command(subcommands).demandCommand(1),
  handler: () => {},
} satisfies CommandModule;
