// The command line as a whole: every command is walked with bad option values (each must stop with
// one usage line, exit 2, before its handler runs), and with --help and --version.
import { describe, expect, test } from '@jest/globals';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { groups, runCli, type Group } from '../src/cli.js';
import { CliError } from '../src/errors.js';
import { packageVersion } from '../src/util/package-root.js';

type Module = CommandModule<any, any>;
type Command = { group: string; words: string[]; module: Module };

// The subcommands a group module registers, read by running its builder against a recorder.
function subcommandsOf(group: Module): Module[] {
  const found: Module[] = [];
  const recorder: any = new Proxy(
    {},
    {
      get: (_target, key) =>
        key === 'command' ? (m: Module | Module[]) => (found.push(...[m].flat()), recorder) : () => recorder,
    },
  );
  (group.builder as (y: Argv) => Argv)(recorder);
  return found;
}

const commandWord = (m: Module) => String(m.command).split(' ')[0];

async function allCommands(): Promise<Command[]> {
  const out: Command[] = [];
  for (const [name, group] of Object.entries(groups)) {
    const module = (await group.load()).default as Module;
    const subs = subcommandsOf(module);
    if (!subs.length) out.push({ group: name, words: [name], module });
    for (const sub of subs) out.push({ group: name, words: [name, commandWord(sub)], module: sub });
  }
  return out;
}

// The table of groups with every handler replaced by one that records that it ran.
function stubbedGroups(commands: Command[], ran: string[]): Record<string, Group> {
  const table: Record<string, Group> = {};
  for (const [name, group] of Object.entries(groups)) {
    const mine = commands.filter((c) => c.group === name);
    const stub = (c: Command): Module => ({ ...c.module, handler: () => void ran.push(c.words.join(' ')) });
    table[name] = {
      describe: group.describe,
      load: async () => {
        const real = (await group.load()).default as Module;
        if (mine.length === 1 && mine[0].words.length === 1) return { default: stub(mine[0]) };
        return { default: { ...real, builder: (y: Argv) => y.command(mine.map(stub)).demandCommand(1) } };
      },
    };
  }
  return table;
}

// What yargs knows about a command's options after its builder ran.
function optionsOf(module: Module) {
  const y = yargs([]);
  if (typeof module.builder === 'function') module.builder(y);
  return (y as any).getOptions() as {
    key: Record<string, unknown>;
    number: string[];
    choices: Record<string, unknown[]>;
    narg: Record<string, unknown>;
    string: string[];
    demandedOptions: Record<string, unknown>;
    hiddenOptions: string[];
  };
}

// Words that make a command's own demands met, so only the bad value can be wrong.
function required(c: Command): string[] {
  const positionals = [...String(c.module.command).matchAll(/<([^>]+)>/g)].map(() => '/nonexistent/slurm-oci-walk');
  const o = optionsOf(c.module);
  const options = Object.keys(o.demandedOptions).flatMap((k) => [`--${k}`, String(o.choices[k]?.[0] ?? 'x')]);
  // bundle create also needs one source (a .check(), not a demanded option)
  const source = c.words.join(' ') === 'bundle create' ? ['--rootfs', '/nonexistent/slurm-oci-walk'] : [];
  return [...positionals, ...options, ...source];
}

const capture = () => {
  const text: string[] = [];
  return { text, output: { out: (t: string) => void text.push(t), err: (t: string) => void text.push(t) } };
};

describe('every command', () => {
  test('refuses every bad option value with one usage line (exit 2) before its handler runs', async () => {
    const commands = await allCommands();
    const ran: string[] = [];
    const table = stubbedGroups(commands, ran);
    const cases: { argv: string[]; option: string }[] = [];
    for (const c of commands) {
      const o = optionsOf(c.module);
      // a number yargs parses on its own takes `abc` as NaN and `-1` as an id: none may be left
      expect({ command: c.words.join(' '), unchecked: o.number }).toEqual({
        command: c.words.join(' '),
        unchecked: [],
      });
      // the checked numbers (src/commands/options.ts numberOption: requiresArg, no yargs type)
      for (const option of Object.keys(o.narg).filter((k) => !o.string.includes(k))) {
        for (const bad of ['abc', '-1', '1.5e999', ''])
          cases.push({ argv: [...c.words, ...required(c), `--${option}`, bad], option });
      }
      for (const option of Object.keys(o.choices)) {
        cases.push({ argv: [...c.words, ...required(c), `--${option}`, 'no-such-choice'], option });
      }
    }
    expect(cases.length).toBeGreaterThan(20);
    for (const { argv, option } of cases) {
      const { output } = capture();
      const error = await runCli(argv, { output, groups: table }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect({ argv, error: error instanceof CliError ? 'CliError' : String(error) }).toEqual({
        argv,
        error: 'CliError',
      });
      const e = error as CliError;
      expect({ argv, exitCode: e.exitCode }).toEqual({ argv, exitCode: 2 });
      expect(e.message).toContain(option);
      expect(e.message).not.toContain('\n');
    }
    expect(ran).toEqual([]);
  });

  test('--help never wraps an example, and --version is the package version, everywhere', async () => {
    const commands = await allCommands();
    for (const words of [
      [],
      ...[...new Set(commands.map((c) => c.words[0]))].map((g) => [g]),
      ...commands.map((c) => c.words),
    ]) {
      const help = capture();
      await runCli([...words, '--help'], { output: help.output });
      const text = help.text.join('\n');
      const examples = text.split('\nExamples:\n')[1]?.split('\n\n')[0] ?? '';
      for (const line of examples.split('\n').filter(Boolean)) expect(line).toMatch(/^ {2}slurm-oci /);
      const version = capture();
      await runCli([...words, '--version'], { output: version.output });
      expect(version.text).toEqual([packageVersion()]);
    }
  });

  test('no command: the list of commands on stderr, then a usage error', async () => {
    const { text, output } = capture();
    await expect(runCli([], { output })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining('give a command'),
    });
    for (const name of Object.keys(groups)) expect(text.join('\n')).toContain(`slurm-oci ${name}`);
    expect(text.join('\n')).toContain('slurm-oci completion');
  });

  test('a group without its subcommand lists the subcommands', async () => {
    const { text, output } = capture();
    await expect(runCli(['generate'], { output })).rejects.toMatchObject({ exitCode: 2 });
    expect(text.join('\n')).toContain('slurm-oci generate scrun-lua');
  });

  test('completion: a bash script, and the words of a group', async () => {
    const script = capture();
    await runCli(['completion'], { output: script.output });
    expect(script.text.join('\n')).toContain('complete -o bashdefault');
    const words = capture();
    await runCli(['--get-yargs-completions', 'slurm-oci', 'generate', ''], { output: words.output });
    expect(words.text.join('\n')).toContain('scrun-lua');
  });
});
