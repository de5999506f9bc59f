// `slurm-oci workflow list`: recent launches, newest first.
import type { CommandModule } from 'yargs';
import { jobsDirOption, jsonOption } from './options.js';

type Args = { 'jobs-dir': string | undefined; json: boolean; limit: number };

export default {
  command: 'list',
  describe: 'List recent launches (coordination directories), newest first',
  builder: (y) =>
    y
      .option('jobs-dir', jobsDirOption)
      .option('limit', { type: 'number', default: 10, describe: 'How many to show' })
      .option('json', jsonOption)
      .example('$0 workflow list --limit 3', 'the three newest launches'),
  handler: async (args) => {
    const { coordinationRoot } = await import('../../workflow/load-config.js');
    const { formatList, listWorkflows } = await import('../../workflow/list.js');
    const entries = await listWorkflows(coordinationRoot({}, args['jobs-dir']), args.limit);
    process.stdout.write(args.json ? `${JSON.stringify(entries, null, 2)}\n` : formatList(entries));
  },
} satisfies CommandModule<object, Args>;
