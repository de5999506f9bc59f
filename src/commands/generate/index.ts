// `slurm-oci generate <what>`: one module per output file kind.
import type { CommandModule } from 'yargs';
import scrunLua from './scrun-lua.js';

const subcommands: CommandModule<any, any>[] = [scrunLua];

export default {
  command: 'generate <what>',
  describe: 'Write oci.conf, scrun.lua, site kits and Podman/Docker host configs',
  builder: (y) => y.command(subcommands).demandCommand(1),
  handler: () => {},
} satisfies CommandModule;
