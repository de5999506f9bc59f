// `slurm-oci generate scrun-lua`: scrun.lua that stages the bundle and rewrites it for rootless runs.
import type { CommandModule } from 'yargs';
import { withRootlessFlags } from '../rootless-flags.js';
import type { Flags } from '../../scrun-lua/write.js';

export default {
  command: 'scrun-lua',
  describe: 'Write scrun.lua: stage the bundle per container and rewrite config.json for a rootless runtime',
  builder: (y) =>
    withRootlessFlags(y)
      .option('staging', {
        choices: ['copy', 'hardlink', 'none'] as const,
        default: 'copy' as const,
        describe:
          'copy the rootfs into the scratch bundle, hard-link it (scratch dir on the same filesystem), or use it in place (shared filesystem)',
      })
      .option('copy-tool', {
        choices: ['cp', 'rsync'] as const,
        default: 'cp' as const,
        describe: 'cp --reflink=auto or rsync',
      })
      .option('scratch-dir', {
        type: 'string',
        default: '/run/user/%U/slurm-oci-scratch',
        describe: "per-user scratch directory, created 0700; %U is the job user's uid",
      })
      .option('stage-out', {
        type: 'string',
        array: true,
        default: [] as string[],
        describe: 'rootfs paths to copy back into the original rootfs when the container ends',
      })
      .option('slurm-version', {
        type: 'string',
        describe:
          "Slurm release scrun runs under, e.g. 24.11; 26.05 or later uses Slurm's slurm.from_json/to_json (Lua 5.3+) instead of the bundled JSON codec (default: bundled, right on every release)",
      })
      .option('output', { alias: 'o', type: 'string', describe: 'write here (mode 0644) instead of stdout' })
      .option('force', { type: 'boolean', default: false, describe: 'replace the file if it exists' })
      .example('$0 generate scrun-lua -o /etc/slurm/scrun.lua', 'copy with cp --reflink=auto into /run/user/UID')
      .example('$0 generate scrun-lua --staging none --bind-mounts copy', 'bundles on a filesystem all nodes share')
      .example(
        '$0 generate scrun-lua --slurm-version 26.05 -o /etc/slurm/scrun.lua',
        "Slurm 26.05's own JSON functions, no bundled codec",
      )
      .example(
        "$0 generate scrun-lua --staging hardlink --scratch-dir '/home/.scrun/%U' --stage-out /out",
        'hard links, copy /out back',
      ),
  handler: async (argv) => {
    const { writeScrunLua } = await import('../../scrun-lua/write.js');
    writeScrunLua(argv as unknown as Flags);
  },
} satisfies CommandModule<object, any>;
