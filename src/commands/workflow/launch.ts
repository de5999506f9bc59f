// `slurm-oci workflow launch`: validate a config, create the coordination directory, submit the jobs.
import type { CommandModule } from 'yargs';
import { jobsDirOption, withFormat } from './options.js';

type Args = {
  config: string;
  'dry-run': boolean;
  'runtime-only': boolean;
  'runtime-url': string | undefined;
  'api-key-file': string | undefined;
  debug: boolean;
  wait: boolean;
  'jobs-dir': string | undefined;
  format: 'text' | 'json';
};

export default {
  command: 'launch',
  describe: 'Submit the runtime (sandbox server) job and the training job that uses it',
  builder: (y) =>
    withFormat(y)
      .option('config', {
        type: 'string',
        demandOption: true,
        describe: 'dev, production, or the path of a .conf file',
      })
      .option('dry-run', {
        type: 'boolean',
        default: false,
        describe: 'Print both scripts and the sbatch commands; submit nothing',
      })
      .option('runtime-only', {
        type: 'boolean',
        default: false,
        describe: 'Submit only the runtime job (a server to share or debug)',
      })
      .option('runtime-url', { type: 'string', describe: 'Use an existing sandbox server instead of a runtime job' })
      .option('api-key-file', {
        type: 'string',
        describe: 'Key of the --runtime-url server (else $SANDBOX_REMOTE_RUNTIME_API_KEY)',
      })
      .option('debug', {
        type: 'boolean',
        default: false,
        describe: 'Set SKYRL_DEBUG=1 and log every poll in the jobs',
      })
      .option('wait', {
        type: 'boolean',
        default: false,
        describe: 'Wait, with a progress line, until the server is ready',
      })
      .option('jobs-dir', {
        ...jobsDirOption,
        describe: 'Where directories go (default: COORDINATION_ROOT or ~/.skyrl_jobs)',
      })
      .example('$0 workflow launch --config dev --dry-run', 'show what would be submitted')
      .example('$0 workflow launch --config my.conf --wait', 'submit both jobs, wait for the server')
      .epilog(
        `Creates <root>/YYYYMMDD_HHMMSS_<jobid>/, submits the runtime job (held), then the training job
with --dependency=after:<runtime job>, then releases the runtime job. To train against a server
that already runs: --runtime-url http://node7:8000 --api-key-file key.txt`,
      ),
  handler: async (args) => {
    const { launch } = await import('../../workflow/launch.js');
    await launch({
      config: args.config,
      dryRun: args['dry-run'],
      runtimeOnly: args['runtime-only'],
      runtimeUrl: args['runtime-url'],
      apiKeyFile: args['api-key-file'],
      debug: args.debug,
      wait: args.wait,
      jobsDir: args['jobs-dir'],
      json: args.format === 'json',
    });
  },
} satisfies CommandModule<object, Args>;
