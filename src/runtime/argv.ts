// runc's command-line grammar without a parser library (Podman execs the runtime for every
// operation, so start-up matters): Go `flag` rules, i.e. `-x`, `--x`, `--x=v` and `--x v`,
// flags before positionals, parsing stops at the first positional or `--`.
import { CliError } from '../errors.js';

// 'optional': a value only when the next word is one of VALUES (runc's `--rootless [true|false|auto]`).
export type FlagSpec = { type: 'bool' | 'string' | 'list' | 'optional'; alias?: string; values?: readonly string[] };
export type FlagSpecs = Record<string, FlagSpec>;
export type Parsed = { flags: Record<string, string | boolean | string[]>; rest: string[] };

const BOOL_VALUES = new Set(['true', 'false', '1', '0']);

// Parses ARGS against SPECS; unknown flags are a usage error (exit 1, as runc). WHERE names the
// command in messages ('' for the global flags: every message already starts with the program name).
export function parseFlags(args: readonly string[], specs: FlagSpecs, where: string): Parsed {
  const at = where ? `${where}: ` : '';
  const byName = new Map<string, [string, FlagSpec]>();
  for (const [name, spec] of Object.entries(specs)) {
    byName.set(name, [name, spec]);
    if (spec.alias) byName.set(spec.alias, [name, spec]);
  }
  const flags: Parsed['flags'] = {};
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const key = eq < 0 ? body : body.slice(0, eq);
    const found = byName.get(key);
    if (!found) throw new CliError(`${at}flag provided but not defined: -${key}`, 1);
    const [name, spec] = found;
    let value: string | undefined = eq < 0 ? undefined : body.slice(eq + 1);
    if (spec.type === 'bool') {
      if (value !== undefined && !BOOL_VALUES.has(value)) {
        throw new CliError(`${at}invalid boolean value "${value}" for -${key}`, 1);
      }
      flags[name] = value === undefined || value === 'true' || value === '1';
      continue;
    }
    if (spec.type === 'optional') {
      if (value === undefined && spec.values?.includes(args[i + 1] ?? '')) value = args[++i]!;
      flags[name] = value ?? 'true';
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= args.length) throw new CliError(`${at}flag needs an argument: -${key}`, 1);
      value = args[++i]!;
    }
    if (spec.type === 'list') flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else flags[name] = value;
  }
  return { flags, rest: args.slice(i) };
}

// The value of a string flag, if given.
export const str = (p: Parsed, name: string): string | undefined => p.flags[name] as string | undefined;

// Whether a boolean flag was set.
export const bool = (p: Parsed, name: string): boolean => p.flags[name] === true;

// Exactly the positionals a command takes, or runc's usage error.
export function positionals(p: Parsed, command: string, min: number, max = min): string[] {
  if (p.rest.length < min || p.rest.length > max) {
    const want = min === max ? `exactly ${min}` : `${min} to ${max}`;
    throw new CliError(
      `${command}: "${command}" requires ${want} argument(s), got ${p.rest.length}`,
      1,
      `run \`slurm-oci-runtime ${command} --help\``,
    );
  }
  return p.rest;
}
