// `slurm-oci workflow stop DIR`: cancel both jobs of a launch and write its completion flag.
import type { CommandModule } from 'yargs';
import { dirPositional, jobsDirOption, withFormat } from './options.js';

type Args = { dir: string; 'jobs-dir': string | undefined; format: 'text' | 'json' };

export default {
  command: 'stop <dir>',
  describe: 'Stop a launch: write training_complete.flag and cancel both jobs',
  builder: (y) =>
    withFormat(y)
      .positional('dir', {
        ...dirPositional,
        demandOption: true,
        describe: 'Coordination directory: a path, or a name under --jobs-dir',
      })
      .option('jobs-dir', jobsDirOption)
      .example('$0 workflow stop 20260101_120000_42', 'stop that launch'),
  handler: async (args) => {
    const { coordinationRoot } = await import('../../workflow/load-config.js');
    const { resolveCoordinationDir } = await import('../../workflow/coordination.js');
    const { stopWorkflow } = await import('../../workflow/stop.js');
    const dir = resolveCoordinationDir(coordinationRoot({}, args['jobs-dir']), args.dir);
    const ids = await stopWorkflow(dir);
    process.stdout.write(
      args.format === 'json'
        ? `${JSON.stringify({ dir, cancelled: ids })}\n`
        : `stopped ${dir}${ids.length ? ` (cancelled job ${ids.join(', ')})` : ''}\n`,
    );
  },
} satisfies CommandModule<object, Args>;
