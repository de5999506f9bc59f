// `slurm-oci check oci-conf FILE --bundle DIR`: the containers page's manual runtime test, automated.
import type { CommandModule } from 'yargs';
import { formatOption, numberOption } from '../options.js';

export default {
  command: 'oci-conf <file>',
  describe: "Run an oci.conf's RunTime* commands outside Slurm against a bundle, as slurmstepd would",
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'the oci.conf to try' })
      .option('bundle', {
        type: 'string',
        demandOption: true,
        describe: 'an OCI bundle directory (config.json + rootfs)',
      })
      .option('user', { type: 'string', describe: 'run as this user (root only; default: yourself)' })
      .option('slurm-version', {
        type: 'string',
        describe: 'Slurm release whose patterns to use (default: scontrol --version)',
      })
      .option(
        'timeout',
        numberOption('timeout', 'seconds each command may take', {
          default: 60,
          min: 0.1,
          max: 86400,
          what: 'seconds',
        }),
      )
      .option('format', formatOption)
      .example('$0 check oci-conf oci.conf --bundle /srv/b', 'as yourself, on a compute node')
      .example('$0 check oci-conf oci.conf --bundle /srv/b --user alice', 'as root, for user alice'),
  handler: async (argv) =>
    (await import('../../oci-conf/check-command.js')).checkOciConfCommand(
      argv as unknown as Parameters<typeof import('../../oci-conf/check-command.js').checkOciConfCommand>[0],
    ),
} satisfies CommandModule;
