// `slurm-oci workflow logs [DIR] [--follow]`: the runtime and training job logs.
import type { CommandModule } from 'yargs';
import { dirPositional, jobsDirOption } from './options.js';

type Args = { dir: string | undefined; 'jobs-dir': string | undefined; follow: boolean };

export default {
  command: 'logs [dir]',
  describe: "Print a launch's job logs (the newest launch by default)",
  builder: (y) =>
    y
      .positional('dir', dirPositional)
      .option('jobs-dir', jobsDirOption)
      .option('follow', {
        alias: 'f',
        type: 'boolean',
        default: false,
        describe: 'Keep printing new lines until both jobs end',
      })
      .example('$0 workflow logs --follow', 'follow the newest launch'),
  handler: async (args) => {
    const { coordinationRoot } = await import('../../workflow/load-config.js');
    const { resolveCoordinationDir } = await import('../../workflow/coordination.js');
    const { showLogs } = await import('../../workflow/logs.js');
    await showLogs(resolveCoordinationDir(coordinationRoot({}, args['jobs-dir']), args.dir), args.follow);
  },
} satisfies CommandModule<object, Args>;
