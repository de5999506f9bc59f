// `slurm-oci generate docker-daemon`: rootless Docker's daemon.json, rootlesskit drop-in and run flags.
import type { Argv, CommandModule } from 'yargs';
import { formatOption, type OptionsOf } from '../options.js';

const builder = (y: Argv) =>
  y
    .option('runtime', {
      choices: ['scrun', 'slurm-oci-runtime'] as const,
      default: 'scrun' as const,
      describe: 'what the `slurm` runtime runs',
    })
    .option('runtime-path', { type: 'string', describe: 'path of the runtime (default: the installed one)' })
    .option('data-root', {
      type: 'string',
      describe: 'image store, on local disk and outside /run (default /var/tmp/containers-$USER/docker)',
    })
    .option('exec-root', {
      type: 'string',
      describe:
        'container bundles, where Slurm jobs can see them: outside /run (default /var/tmp/containers-$USER/docker-exec)',
    })
    .option('config-dir', {
      type: 'string',
      describe: 'install as DIR/docker/daemon.json and DIR/systemd/user/docker.service.d/override.conf',
    })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'replace existing files, and accept a data-root on a shared filesystem',
    })
    .option('format', { ...formatOption, describe: 'output format when printing' })
    .example('$0 generate docker-daemon --config-dir ~/.config', 'install for yourself, print the DOCKER_SECURITY line')
    .example('$0 generate docker-daemon --format json', 'all three parts (and the notes) for a script')
    .epilogue(
      [
        'Rootless dockerd runs inside rootlesskit, whose mount namespace has its own /run: data-root and',
        'exec-root under /run (or /etc) would be invisible to the Slurm job, so they are refused. On a',
        'filesystem only this node sees, containers run on this node only; multi-node jobs need a shared one.',
      ].join('\n'),
    );

export default {
  command: 'docker-daemon',
  describe: 'Rootless Docker: daemon.json, rootlesskit override, run flags',
  builder,
  handler: async (argv) => {
    const { generateDockerDaemon } = await import('../../host-config/generate.js');
    generateDockerDaemon(argv);
  },
} satisfies CommandModule<object, OptionsOf<typeof builder>>;
