// `slurm-oci generate <what>`: one module per output file kind.
import type { CommandModule } from 'yargs';
import containersConf from './containers-conf.js';
import dockerDaemon from './docker-daemon.js';
import ociConf from './oci-conf.js';
import scrunLua from './scrun-lua.js';
import site from './site.js';
import storageConf from './storage-conf.js';

export default {
  command: 'generate <what>',
  describe: 'Write oci.conf, scrun.lua, site kits and Podman/Docker host configs',
  // One .command() per module keeps each handler typed from its own builder.
  builder: (y) =>
    y
      .command(ociConf)
      .command(site)
      .command(scrunLua)
      .command(containersConf)
      .command(storageConf)
      .command(dockerDaemon)
      .demandCommand(1),
  handler: () => {},
} satisfies CommandModule;
