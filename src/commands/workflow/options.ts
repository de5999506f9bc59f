// Options shared by the workflow subcommands.
import type { Argv } from 'yargs';
import { formatOption } from '../options.js';

// --jobs-dir: where coordination directories live.
export const jobsDirOption = {
  type: 'string',
  describe: 'Folder of the coordination directories (default: ~/.skyrl_jobs)',
} as const;

// --format text|json like every other command; --json, the older spelling, still works (hidden).
export const withFormat = <T>(y: Argv<T>) =>
  y
    .option('format', formatOption)
    .option('json', { type: 'boolean', hidden: true, describe: 'the same as --format json' })
    .middleware((argv) => {
      if (argv.json) Object.assign(argv, { format: 'json' });
    });

// [dir]: a coordination directory, by path or by name under --jobs-dir.
export const dirPositional = {
  type: 'string',
  describe: 'Coordination directory: a path, or a name under --jobs-dir (default: the newest)',
} as const;
