// The `generate scrun-lua` command's work: flags to options, options to a file or stdout.
import { optionsFromFlags } from '../bundle/rootless-options.js';
import { writeOutput } from '../util/output.js';
import { packageVersion } from '../util/package-root.js';
import { generateScrunLua } from './generate.js';

// The command-line flags, camel-cased by yargs.
export type Flags = {
  staging: string;
  copyTool: string;
  scratchDir: string;
  stageOut: string[];
  skip: string[];
  bindMounts?: string;
  slurmVersion?: string;
  output?: string;
  force?: boolean;
};

// Generates scrun.lua from command-line flags and writes it (0644: scrun reads it as the user).
export function writeScrunLua(flags: Flags): void {
  const text = generateScrunLua(
    {
      staging: flags.staging,
      copyTool: flags.copyTool,
      scratchDir: flags.scratchDir,
      stageOut: flags.stageOut,
      steps: optionsFromFlags(flags.skip, flags.bindMounts),
      ...(flags.slurmVersion === undefined ? {} : { slurmVersion: flags.slurmVersion }),
    },
    packageVersion(),
  );
  writeOutput(text, flags.output, !!flags.force);
}
