// `slurm-oci workflow status [DIR]`: both jobs, the flags, the server's URL and health, recent log lines.
import type { CommandModule } from 'yargs';
import { numberOption } from '../options.js';
import { dirPositional, jobsDirOption, withFormat } from './options.js';

type Args = { dir: string | undefined; 'jobs-dir': string | undefined; format: 'text' | 'json'; lines: number };

export default {
  command: 'status [dir]',
  describe: 'Show the state of a launch (the newest by default)',
  builder: (y) =>
    withFormat(y)
      .positional('dir', dirPositional)
      .option('jobs-dir', jobsDirOption)
      .option('lines', numberOption('lines', 'Log lines to show per file', { default: 5, integer: true, min: 0 }))
      .example('$0 workflow status', 'the newest launch')
      .example('$0 workflow status DIR --format json', 'one launch, for scripts'),
  handler: async (args) => {
    const { coordinationRoot } = await import('../../workflow/load-config.js');
    const { resolveCoordinationDir } = await import('../../workflow/coordination.js');
    const { formatStatus, workflowStatus } = await import('../../workflow/status.js');
    const dir = resolveCoordinationDir(coordinationRoot({}, args['jobs-dir']), args.dir);
    const status = await workflowStatus(dir, args.lines);
    process.stdout.write(args.format === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  },
} satisfies CommandModule<object, Args>;
