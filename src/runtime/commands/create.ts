// `create`: check the id, the bundle and the backend first, so bad input leaves nothing behind;
// then record the container and let its backend create it.
import path from 'node:path';
import { parseFlags, positionals, str, bool, type FlagSpecs, type Parsed } from '../argv.js';
import { loadBundle, rootlessShadow } from '../bundle.js';
import { chooseBackend } from '../backends/choose.js';
import { backendFor } from '../backends/registry.js';
import type { Backend, CreateOptions } from '../backends/types.js';
import type { Context } from '../context.js';
import type { ContainerRecord } from '../store.js';
import { CliError } from '../../errors.js';

export const usage =
  '[--bundle DIR] [--pid-file FILE] [--console-socket SOCKET] [--no-pivot] [--no-new-keyring] [--preserve-fds N] [--backend NAME] <container-id>';

export const CREATE_FLAGS: FlagSpecs = {
  bundle: { type: 'string', alias: 'b' },
  'pid-file': { type: 'string' },
  'console-socket': { type: 'string' },
  'pidfd-socket': { type: 'string' },
  'no-pivot': { type: 'bool' },
  'no-new-keyring': { type: 'bool' },
  'preserve-fds': { type: 'string' },
  backend: { type: 'string' },
};

// The create options shared by `create` and `run`, with paths made absolute (from the caller's cwd) as runc does.
export function createOptions(ctx: Context, p: Parsed): CreateOptions {
  const fds = str(p, 'preserve-fds') ?? '0';
  if (!/^\d+$/.test(fds)) throw new CliError(`invalid --preserve-fds "${fds}"`, 1, 'give a number of extra fds');
  const pidFile = str(p, 'pid-file');
  const consoleSocket = str(p, 'console-socket');
  return {
    pidFile: pidFile && path.resolve(ctx.cwd, pidFile),
    consoleSocket: consoleSocket && path.resolve(ctx.cwd, consoleSocket),
    noPivot: bool(p, 'no-pivot'),
    noNewKeyring: bool(p, 'no-new-keyring'),
    preserveFds: Number(fds),
  };
}

// Validates everything, claims the id and saves the record; the backend has not run yet.
export async function prepare(
  ctx: Context,
  p: Parsed,
  command: string,
): Promise<{ record: ContainerRecord; backend: Backend }> {
  const [id] = positionals(p, command, 1) as [string];
  ctx.store.dir(id);
  const bundle = loadBundle(path.resolve(ctx.cwd, str(p, 'bundle') ?? '.'));
  const choice = await chooseBackend(ctx, str(p, 'backend') ?? ctx.globals.backend);
  const backend = await backendFor(choice.backend);
  // the scrun backend's Slurm commands are resolved before the id is claimed: a missing one leaves nothing
  const slurm =
    choice.backend === 'scrun' ? (await import('../scrun/slurm.js')).slurmCommands(choice.paths, ctx.env) : undefined;
  const dir = ctx.store.claim(id);
  const record: ContainerRecord = {
    id,
    backend: choice.backend,
    binary: choice.binary,
    backendRoot: ctx.store.backendRoot(choice.backend, id),
    bundle: bundle.dir,
    rootfs: bundle.rootfs,
    ociVersion: bundle.config.ociVersion,
    annotations: bundle.config.annotations ?? {},
    created: new Date().toISOString(),
    slurm,
  };
  await orForget(ctx, record, async () => {
    if (!slurm) record.runBundle = rootlessShadow(ctx, bundle, path.join(dir, 'bundle'));
    ctx.store.save(record);
  });
  return { record, backend };
}

// Runs STEP for a freshly prepared container; on failure the id is released again.
export async function orForget<T>(ctx: Context, record: ContainerRecord, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    ctx.store.remove(record.id);
    throw error;
  }
}

export async function run(ctx: Context, args: string[]): Promise<number> {
  const p = parseFlags(args, CREATE_FLAGS, 'create');
  const options = createOptions(ctx, p);
  const { record, backend } = await prepare(ctx, p, 'create');
  await orForget(ctx, record, () => backend.create(ctx, record, options));
  return 0;
}
