// Declares the command groups of `slurm-oci`. A group's module (options and handlers) is imported
// only when that group runs, and each handler imports its implementation lazily in turn, so
// `slurm-oci doctor` never pays for handlebars or the sandbox server.
import yargs, { type Argv, type CommandModule } from 'yargs';
import { CliError } from './errors.js';

// A group's module is typed from its own builder, so the table only knows it is some CommandModule.
type Group = { describe: string; load: () => Promise<{ default: object }> };

const groups: Record<string, Group> = {
  generate: {
    describe: 'Write oci.conf, scrun.lua, site kits and Podman/Docker host configs',
    load: () => import('./commands/generate/index.js'),
  },
  lint: {
    describe: 'Check a config file the way Slurm will read it',
    load: () => import('./commands/lint/index.js'),
  },
  check: {
    describe: 'Try a config for real, outside Slurm (on a compute node)',
    load: () => import('./commands/check/index.js'),
  },
  doctor: {
    describe: 'Check this node and user for running containers through Slurm',
    load: () => import('./commands/doctor/index.js'),
  },
  bundle: {
    describe: 'Create, validate and rewrite OCI bundles (rootless config.json)',
    load: () => import('./commands/bundle/index.js'),
  },
  sandbox: {
    describe: 'Serve sandboxed Podman containers to coding agents over HTTP',
    load: () => import('./commands/sandbox/index.js'),
  },
  workflow: {
    describe: 'Launch and watch the training job plus sandbox-server job pair',
    load: () => import('./commands/workflow/index.js'),
  },
};

// Parses argv and runs the selected command; throws CliError on bad usage.
export async function runCli(argv: string[]): Promise<void> {
  const name = argv[0];
  let parser: Argv = yargs(argv)
    .scriptName('slurm-oci')
    .usage('$0 <command> [options]\n\nOCI containers on Slurm: configs, checks, node diagnosis, workflows.')
    .strict()
    .demandCommand(1, 'Give a command; see the list above.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .middleware((args) => rejectRepeated(args, parser))
    .fail((message, error) => {
      if (error) throw error;
      throw new CliError(message, 2, 'run `slurm-oci --help` or `slurm-oci <command> --help`');
    });
  for (const [groupName, group] of Object.entries(groups)) {
    parser =
      groupName === name
        ? parser.command((await group.load()).default as CommandModule)
        : parser.command(groupName, group.describe);
  }
  await parser.parseAsync();
}

// yargs turns an option given twice into a list; for a single-valued option that is a user's slip,
// which would otherwise reach a handler expecting one string (`internal error`).
function rejectRepeated(argv: Record<string, unknown>, y: Argv): void {
  // getOptions is public in yargs 17 but missing from its types
  const options = (y as unknown as { getOptions(): { array: string[]; alias: Record<string, string[]> } }).getOptions();
  // yargs also sets each option under its camelCase name, which getOptions does not list
  const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const lists = new Set(options.array.flatMap((name) => [name, ...(options.alias[name] ?? [])]).map(kebab));
  const repeated = Object.keys(argv).map(kebab).find((key) => key !== '_' && Array.isArray(argv[key]) && !lists.has(key));
  if (repeated) throw new CliError(`--${repeated} was given more than once`, 2, `give --${repeated} once`);
}
