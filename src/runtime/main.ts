// slurm-oci-runtime: runc's command line over scrun, crun or runc. Parses the global flags, loads
// only the one command module it needs, and turns every error into one stderr line (also in the
// --log file) and runc's exit code.
import { parseFlags, str, bool } from './argv.js';
import path from 'node:path';
import { createLog } from './log.js';
import { defaultRoot, Store } from './store.js';
import type { Call, Context, Globals } from './context.js';
import { CliError, describeError } from '../errors.js';
import { SPEC_VERSION, VERSION } from './version.js';
// Podman runs these for every container: bundled in, not loaded as separate modules.
import * as start from './commands/start.js';
import * as state from './commands/state.js';
import * as kill from './commands/kill.js';
import * as del from './commands/delete.js';
import { Declined, declineIfRemote } from './io.js';

// Each command module: its usage text and run(), which returns the exit code or throws CliError.
type CommandModule = { usage: string; run(ctx: Context, args: string[], name: string): Promise<number> };
// The calls the runtime server takes (Podman's, for every container); the rest go to the CLI.
const SERVED = new Set(['create', 'start', 'state', 'kill', 'delete']);

const commands: Record<string, [string, () => Promise<CommandModule>]> = {
  create: ['create a container from a bundle', () => import('./commands/create.js')],
  start: ['run the user process of a created container', async () => start],
  state: ['print the state of a container as JSON', async () => state],
  kill: ['send a signal to a container (default TERM)', async () => kill],
  delete: ['delete a container and everything it holds', async () => del],
  run: ['create and start a container, wait for it unless --detach', () => import('./commands/run.js')],
  list: ['list containers', () => import('./commands/list.js')],
  ps: ['list the processes of a container (local backends)', () => import('./commands/passthrough.js')],
  exec: ['run a process in a container (local backends)', () => import('./commands/passthrough.js')],
  pause: ['pause a container (local backends)', () => import('./commands/passthrough.js')],
  resume: ['resume a paused container (local backends)', () => import('./commands/passthrough.js')],
  update: ['update resource limits (local backends)', () => import('./commands/passthrough.js')],
  features: ['print the features this runtime supports, as JSON', () => import('./commands/features.js')],
  spec: ['write a starter config.json', () => import('./commands/spec.js')],
};

const GLOBALS = {
  root: { type: 'string' },
  log: { type: 'string' },
  'log-format': { type: 'string' },
  debug: { type: 'bool' },
  'systemd-cgroup': { type: 'bool' },
  rootless: { type: 'optional', values: ['true', 'false', 'auto'] },
  'cgroup-manager': { type: 'string' },
  backend: { type: 'string' },
  version: { type: 'bool', alias: 'v' },
  help: { type: 'bool', alias: 'h' },
} as const;

const usage = () =>
  `usage: slurm-oci-runtime [global options] <command> [options] <container-id>

An OCI runtime with runc's command line. It runs containers as Slurm jobs through scrun, or on
this node through crun or runc, choosing at create: --backend, else SLURM_OCI_BACKEND, else
/etc/slurm-oci/runtime.json or ~/.config/slurm-oci/runtime.json, else auto.

Commands:
${Object.entries(commands)
  .map(([name, [describe]]) => `  ${name.padEnd(10)}${describe}`)
  .join('\n')}

Global options:
  --root DIR             state directory (default $XDG_RUNTIME_DIR/slurm-oci, as root /run/slurm-oci)
  --backend NAME         auto, scrun, crun or runc (only create and run use it)
  --log FILE             also log to FILE;  --log-format text|json
  --debug                log debug messages
  --systemd-cgroup, --cgroup-manager M, --rootless [V]   passed on to crun/runc
  -v, --version          print the version

Examples:
  slurm-oci-runtime --backend crun run --bundle /srv/busybox demo
  slurm-oci-runtime state demo
`;

// Whether -h/--help comes among a command's flags (not inside an exec'd command line).
function wantsHelp(args: string[]): boolean {
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') return true;
    if (!arg.startsWith('-') || arg === '--') return false;
  }
  return false;
}

// Runs one invocation with CALL's io, environment and cwd; returns the exit code (errors are
// printed here, nowhere else). In the runtime server it throws Declined for calls the CLI must run.
export async function main(argv: string[], call: Call): Promise<number> {
  const stderr = (text: string) => call.io.write(2, text);
  // until the global flags are read, errors go to stderr only
  let log = createLog({ format: 'text', debug: false }, stderr);
  try {
    const parsed = parseFlags(argv, GLOBALS, '');
    if (bool(parsed, 'version') || bool(parsed, 'help') || !SERVED.has(parsed.rest[0] ?? ''))
      declineIfRemote(call.io, 'not served');
    const logFormat = str(parsed, 'log-format') === 'json' ? 'json' : 'text';
    log = createLog(
      {
        file: str(parsed, 'log') && path.resolve(call.cwd, str(parsed, 'log')!),
        format: logFormat,
        debug: bool(parsed, 'debug'),
      },
      stderr,
    );
    const stdout = (text: string) => call.io.write(1, text);
    if (bool(parsed, 'version')) {
      stdout(`slurm-oci-runtime version ${VERSION}\nspec: ${SPEC_VERSION}\n`);
      return 0;
    }
    const [name, ...args] = parsed.rest;
    if (!name || bool(parsed, 'help')) {
      stdout(usage());
      return name || bool(parsed, 'help') ? 0 : 1;
    }
    const format = str(parsed, 'log-format');
    if (format !== undefined && format !== 'text' && format !== 'json') {
      throw new CliError(`invalid --log-format "${format}"`, 1, 'use text or json');
    }
    const entry = commands[name];
    if (!entry) throw new CliError(`unknown command "${name}"`, 3, 'run `slurm-oci-runtime --help` for the list');
    const root = str(parsed, 'root');
    if (root === '/') throw new CliError('--root / is not allowed', 1, 'give a directory of its own');
    const globals: Globals = {
      root,
      log: str(parsed, 'log') && path.resolve(call.cwd, str(parsed, 'log')!),
      logFormat,
      debug: bool(parsed, 'debug'),
      systemdCgroup: bool(parsed, 'systemd-cgroup'),
      rootless: str(parsed, 'rootless'),
      cgroupManager: str(parsed, 'cgroup-manager'),
      backend: str(parsed, 'backend'),
    };
    const ctx: Context = {
      ...call,
      globals,
      log,
      store: new Store(root ? path.resolve(call.cwd, root) : defaultRoot(call.env)),
    };
    const module = await entry[1]();
    if (wantsHelp(args)) {
      stdout(`usage: slurm-oci-runtime ${name} ${module.usage}\n\n${entry[0]}\n`);
      return 0;
    }
    return await module.run(ctx, args, name);
  } catch (error) {
    if (error instanceof Declined) throw error;
    const { lines, exitCode } = describeError(error);
    log('error', lines.join('; '));
    return exitCode;
  }
}
