// `slurm-oci generate oci-conf`: an oci.conf for one runtime preset and Slurm version.
import type { Argv, CommandModule } from 'yargs';
import type { GenerateFlags } from '../../oci-conf/emit.js';
import { PRESET_NAMES, PRESETS } from '../../oci-conf/presets.js';

// The options shared with `generate site` (preset, version, runtime and key overrides).
export const presetOptions = (y: Argv) =>
  y
    .option('preset', { type: 'string', choices: PRESET_NAMES, describe: 'runtime preset (required unless in --from)' })
    .option('slurm-version', { type: 'string', describe: 'target Slurm release, e.g. 24.11 (default: newest)' })
    .option('runtime', { type: 'string', describe: 'runtime program path or name (default per preset)' })
    .option('runtime-arg', { type: 'string', array: true, describe: 'extra global runtime argument (repeatable)' })
    .option('root', { type: 'string', describe: 'runtime state dir, a Slurm pattern (default /run/user/%U/)' })
    .option('container-id', {
      type: 'string',
      describe: 'id pattern of a step (default %n.%u.%j.%s; run mode adds .%t)',
    })
    .option('backend', {
      type: 'string',
      choices: ['crun', 'runc'],
      describe: 'slurm-oci-runtime preset: low-level runtime',
    })
    .option('helper-dir', { type: 'string', describe: 'where helper scripts are installed (enroot, multi-runtime)' })
    .option('set', { type: 'string', array: true, describe: 'override a key: Key=Value (Key= removes it; repeatable)' })
    .option('from', { type: 'string', describe: 'read the options from a JSON or YAML file (flags win)' });

export default {
  command: 'oci-conf',
  describe: 'Write an oci.conf for a runtime preset (and its helper scripts with -o)',
  builder: (y) =>
    presetOptions(y)
      .option('output', { alias: 'o', type: 'string', describe: 'write to FILE (helpers beside it) instead of stdout' })
      .option('force', { type: 'boolean', default: false, describe: 'replace FILE and helpers that already exist' })
      .example('$0 generate oci-conf --preset crun-run', 'rootless crun, run mode, to stdout')
      .example('$0 generate oci-conf --preset enroot -o x', 'x, and enroot-start-wrapper beside it')
      .example('$0 generate oci-conf --from site.yaml', 'options from a JSON or YAML file')
      .epilog(`Presets:\n${PRESET_NAMES.map((n) => `  ${n.padEnd(20)} ${PRESETS[n].describe}`).join('\n')}`),
  handler: async (argv) =>
    (await import('../../oci-conf/emit.js')).generateOciConfCommand(
      argv as unknown as GenerateFlags & { output?: string; force: boolean },
    ),
} satisfies CommandModule;
