// `slurm-oci workflow <action>`: the training-plus-sandbox job pair (launch, status, list, logs, stop).
import type { CommandModule } from 'yargs';
import launch from './launch.js';
import list from './list.js';
import logs from './logs.js';
import status from './status.js';
import stop from './stop.js';

export default {
  command: 'workflow <action>',
  describe: 'Launch and watch the training job plus sandbox-server job pair',
  builder: (y) => y.command(launch).command(status).command(list).command(logs).command(stop).demandCommand(1),
  handler: () => {},
} satisfies CommandModule;
