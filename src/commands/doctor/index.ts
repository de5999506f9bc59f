// `slurm-oci doctor`: is this node (and this user) ready to run OCI containers through Slurm?
import type { Argv, CommandModule } from 'yargs';
import { formatOption, numberOption, type OptionsOf } from '../options.js';

const builder = (y: Argv) =>
  y
    .option('format', formatOption)
    .option(
      'timeout',
      numberOption('timeout', 'seconds each check may take before it counts as failed', {
        default: 20,
        min: 0.1,
        max: 3600,
        what: 'seconds',
      }),
    )
    .option('check', { type: 'string', array: true, describe: 'run only these checks (names as in the report)' })
    .example('$0 doctor', 'check this node for the current user')
    .example('$0 doctor --format json --check run-user-dir --check podman', 'two checks, for a script')
    .epilogue(
      [
        'Checks: user-namespace sysctls, /run/user/UID and lingering, subuid/subgid, cgroup version,',
        'podman (rootless, graphroot filesystem and driver, free locks), munge, Slurm and scrun,',
        'oci.conf, scrun.lua. Exit status 1 when any check fails; each failure says how to fix it.',
      ].join('\n'),
    );

export default {
  command: 'doctor',
  describe: 'Check this node and user for running containers through Slurm; says how to fix each problem',
  builder,
  handler: async (argv) => {
    const { doctor } = await import('../../doctor/main.js');
    await doctor(argv);
  },
} satisfies CommandModule<object, OptionsOf<typeof builder>>;
