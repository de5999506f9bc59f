// Options shared by the workflow subcommands.
// --jobs-dir: where coordination directories live.
export const jobsDirOption = {
  type: 'string',
  describe: 'Folder of the coordination directories (default: ~/.skyrl_jobs)',
} as const;

// --json: machine-readable output.
export const jsonOption = { type: 'boolean', default: false, describe: 'Print JSON for scripts' } as const;

// [dir]: a coordination directory, by path or by name under --jobs-dir.
export const dirPositional = {
  type: 'string',
  describe: 'Coordination directory: a path, or a name under --jobs-dir (default: the newest)',
} as const;
