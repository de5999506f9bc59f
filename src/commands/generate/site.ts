// `slurm-oci generate site`: the admin's kit (oci.conf, helper scripts, README) in one directory.
import type { CommandModule } from 'yargs';
import type { GenerateFlags } from '../../oci-conf/emit.js';
import { presetOptions } from './oci-conf.js';

export default {
  command: 'site',
  describe: 'Write a site kit: oci.conf, helper scripts and a README saying where each goes',
  builder: (y) =>
    presetOptions(y)
      .option('out', { type: 'string', demandOption: true, describe: 'new (or empty) directory for the kit' })
      .example('$0 generate site --preset multi-runtime --out ./kit', 'dispatcher, default runner, user example'),
  handler: async (argv) =>
    (await import('../../oci-conf/emit.js')).generateSiteCommand(argv as unknown as GenerateFlags & { out: string }),
} satisfies CommandModule;
