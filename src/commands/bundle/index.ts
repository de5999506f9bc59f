// `slurm-oci bundle <what>`: make, check and rewrite OCI bundles for `srun --container` and scrun.
import type { CommandModule } from 'yargs';
import create from './create.js';
import validate from './validate.js';
import rootless from './rootless.js';

const subcommands: CommandModule<any, any>[] = [create, validate, rootless];

export default {
  command: 'bundle <what>',
  describe: 'Create, validate and rewrite OCI bundles (rootless config.json, as scrun.lua does)',
  builder: (y) => y.command(subcommands).demandCommand(1),
  handler: () => {},
} satisfies CommandModule;
