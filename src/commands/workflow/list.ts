// `slurm-oci workflow list`: recent launches, newest first.
import type { CommandModule } from 'yargs';
import { numberOption } from '../options.js';
import { jobsDirOption, withFormat } from './options.js';

type Args = { 'jobs-dir': string | undefined; format: 'text' | 'json'; limit: number };

export default {
  command: 'list',
  describe: 'List recent launches (coordination directories), newest first',
  builder: (y) =>
    withFormat(y)
      .option('jobs-dir', jobsDirOption)
      .option('limit', numberOption('limit', 'How many to show', { default: 10, integer: true, min: 1 }))
      .example('$0 workflow list --limit 3', 'the three newest launches'),
  handler: async (args) => {
    const { coordinationRoot } = await import('../../workflow/load-config.js');
    const { formatList, listWorkflows } = await import('../../workflow/list.js');
    const entries = await listWorkflows(coordinationRoot({}, args['jobs-dir']), args.limit);
    process.stdout.write(args.format === 'json' ? `${JSON.stringify(entries, null, 2)}\n` : formatList(entries));
  },
} satisfies CommandModule<object, Args>;
