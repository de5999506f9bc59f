// Declares the command groups of `slurm-oci`. A group's module (options and handlers) is imported
// only when that group runs, and each handler imports its implementation lazily in turn, so
// `slurm-oci doctor` never pays for handlebars or the sandbox server.
import yargs, { type Argv, type CommandModule } from 'yargs';
import { CliError } from './errors.js';
import { packageVersion } from './util/package-root.js';

// A group's module is typed from its own builder, so the table only knows it is some CommandModule.
export type Group = { describe: string; load: () => Promise<{ default: object }> };

export const groups: Record<string, Group> = {
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

const COMPLETION_FLAG = '--get-yargs-completions';
const USAGE_HINT = 'run `slurm-oci --help` or `slurm-oci <command> --help`';

// Where help, --version and completion text go (tests capture them; the binary prints them).
export type Output = { out: (text: string) => void; err: (text: string) => void };
const processOutput: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

// The group the words name: the first one, or the first after the script name when the shell's
// completion asks (`slurm-oci --get-yargs-completions slurm-oci generate ...`).
const groupWord = (argv: string[]): string | undefined => (argv[0] === COMPLETION_FLAG ? argv[2] : argv[0]);

// yargs's usage message as one line: "Invalid values:\n  Argument: x, Given: ..., Choices: ..." becomes
// `--x "bad" is not one of: a, b`.
function oneLine(message: string): string {
  const choice = /^Invalid values:\s+Argument: (\S+), Given: (.*), Choices: (.*)$/s.exec(message);
  if (choice) return `--${choice[1]} ${choice[2]} is not one of: ${choice[3].replaceAll('"', '')}`;
  return message.replace(/\s*\n\s*/g, ' ');
}

// Parses argv and runs the selected command; throws CliError on bad usage. Never exits the process.
// OUTPUT and GROUPS are seams for tests (which capture the text and stand in for handlers).
export async function runCli(
  argv: string[],
  { output = processOutput, groups: table = groups }: { output?: Output; groups?: Record<string, Group> } = {},
): Promise<void> {
  const name = groupWord(argv);
  let parser: Argv = yargs(argv)
    .scriptName('slurm-oci')
    .usage('$0 <command> [options]\n\nOCI containers on Slurm: configs, checks, node diagnosis, workflows.')
    .strict()
    .demandCommand(1, 'give a command (the list is above)')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .completion('completion', 'Print a bash/zsh completion script: slurm-oci completion >> ~/.bashrc')
    // Never wrapped: a wrapped example or option breaks in the middle of a word and cannot be copied.
    .wrap(null)
    .exitProcess(false)
    .middleware((args) => rejectRepeated(args, parser))
    .showHelpOnFail(false)
    .fail((message, error, y) => {
      // a coerce function's CliError reaches here rewrapped by yargs as a YError: keep its words
      if (error && error.name !== 'YError') throw error;
      if (error) throw new CliError(error.message, 2, USAGE_HINT);
      // A missing command: show what there is to choose from, then the one-line error.
      if (/^give a command|^Not enough non-option arguments: got 0/.test(message)) {
        y.showHelp((text: string) => output.err(text));
        throw new CliError(message.startsWith('give') ? message : 'give a command (the list is above)', 2, USAGE_HINT);
      }
      throw new CliError(oneLine(message), 2, USAGE_HINT);
    });
  for (const [groupName, group] of Object.entries(table)) {
    parser =
      groupName === name
        ? parser.command((await group.load()).default as CommandModule)
        : parser.command(groupName, group.describe);
  }
  // With a callback, yargs hands over what it would print instead of printing it and exiting.
  let printed = '';
  await parser.parseAsync(argv, {}, (_error, _argv, text) => {
    printed = text;
  });
  if (printed) output.out(printed);
}

// yargs turns an option given twice into a list; for a single-valued option that is a user's slip,
// which would otherwise reach a handler expecting one string (`internal error`).
function rejectRepeated(argv: Record<string, unknown>, y: Argv): void {
  // getOptions is public in yargs 17 but missing from its types
  const options = (y as unknown as { getOptions(): { array: string[]; alias: Record<string, string[]> } }).getOptions();
  // yargs also sets each option under its camelCase name, which getOptions does not list
  const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const lists = new Set(options.array.flatMap((name) => [name, ...(options.alias[name] ?? [])]).map(kebab));
  const repeated = Object.keys(argv)
    .map(kebab)
    .find((key) => key !== '_' && Array.isArray(argv[key]) && !lists.has(key));
  if (repeated) throw new CliError(`--${repeated} was given more than once`, 2, `give --${repeated} once`);
}
