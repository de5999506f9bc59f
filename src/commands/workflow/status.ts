// `slurm-oci workflow status [DIR]`: both jobs, the flags, the server's URL and health, recent log lines.
import type { CommandModule } from 'yargs';
import { dirPositional, jobsDirOption, jsonOption } from './options.js';

type Args = { dir: string | undefined; 'jobs-dir': string | undefined; json: boolean; lines: number };

export default {
  command: 'status [dir]',
  describe: 'Show the state of a launch (the newest by default)',
  builder: (y) =>
    y
      .positional('dir', dirPositional)
      .option('jobs-dir', jobsDirOption)
      .option('lines', { type: 'number', default: 5, describe: 'Log lines to show per file' })
      .option('json', jsonOption)
      .example('$0 workflow status', 'the newest launch')
      .example('$0 workflow status DIR --json', 'one launch, for scripts'),
  handler: async (args) => {
    const { coordinationRoot } = await import('../../workflow/load-config.js');
    const { resolveCoordinationDir } = await import('../../workflow/coordination.js');
    const { formatStatus, workflowStatus } = await import('../../workflow/status.js');
    const dir = resolveCoordinationDir(coordinationRoot({}, args['jobs-dir']), args.dir);
    const status = await workflowStatus(dir, args.lines);
    process.stdout.write(args.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  },
} satisfies CommandModule<object, Args>;
