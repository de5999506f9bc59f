// `slurm-oci lint oci-conf FILE`: exit 0 when Slurm would accept the file (warnings allowed), 1 when not.
import type { CommandModule } from 'yargs';
import { formatOption } from '../options.js';

export default {
  command: 'oci-conf <file>',
  describe: 'Lint an oci.conf: exit 0 if Slurm would accept it, 1 if it would reject it',
  builder: (y) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'the oci.conf to check' })
      .option('slurm-version', {
        type: 'string',
        describe: 'Slurm release to check against (default: scontrol --version, else newest)',
      })
      .option('format', formatOption)
      .example('$0 lint oci-conf /etc/slurm/oci.conf', 'check against the installed Slurm')
      .example('$0 lint oci-conf oci.conf --format json', 'findings as JSON, for scripts'),
  handler: async (argv) =>
    (await import('../../oci-conf/lint-command.js')).lintOciConfCommand(
      argv as unknown as { file: string; slurmVersion?: string; format: string },
    ),
} satisfies CommandModule;
