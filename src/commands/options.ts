// Option helpers shared by the command modules: the parsed-options type of a builder, and options
// whose values are checked at the edge, so a bad number or id stops with one line before any work.
import type { Argv } from 'yargs';
import { CliError } from '../errors.js';

export type OptionsOf<B> = B extends (y: Argv) => Argv<infer T> ? T : never;

type NumberRule = {
  // whole numbers only (ids, counts, ports)
  integer?: boolean;
  min?: number;
  max?: number;
  // what the value is, for the message: "a port", "seconds"
  what?: string;
};

// Parses TEXT for --NAME by RULE, or throws a usage error naming the flag, the value and the range.
export function parseNumber(name: string, value: unknown, rule: NumberRule = {}): number {
  const text = String(value).trim();
  const number = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  const { integer = false, min = -Infinity, max = Infinity } = rule;
  const range =
    min > -Infinity && max < Infinity
      ? ` from ${min} to ${max}`
      : min > -Infinity
        ? ` of at least ${min}`
        : max < Infinity
          ? ` of at most ${max}`
          : '';
  const wanted = `${integer ? 'a whole number' : 'a number'}${range}${rule.what ? ` (${rule.what})` : ''}`;
  if (!Number.isFinite(number) || (integer && !Number.isInteger(number)) || number < min || number > max) {
    throw new CliError(
      `--${name} ${JSON.stringify(text)}: want ${wanted}`,
      2,
      `e.g. --${name} ${Math.min(max, Math.max(min, 1))}`,
    );
  }
  return number;
}

// A numeric option whose value is checked by RULE (yargs alone turns `abc` into NaN and `-1` into a uid).
export function numberOption(
  name: string,
  describe: string,
  rule: NumberRule & { default: number },
): NumberOption & { default: number };
export function numberOption(name: string, describe: string, rule?: NumberRule): NumberOption;
export function numberOption(
  name: string,
  describe: string,
  rule: NumberRule & { default?: number } = {},
): NumberOption {
  return {
    describe,
    requiresArg: true,
    ...(rule.default !== undefined ? { default: rule.default } : {}),
    coerce: (value: unknown): number => {
      // given twice: a slip, as for every single-valued option (cli.ts rejectRepeated)
      if (Array.isArray(value)) throw new CliError(`--${name} was given more than once`, 2, `give --${name} once`);
      return parseNumber(name, value, rule);
    },
  };
}
type NumberOption = { describe: string; requiresArg: true; coerce: (value: unknown) => number };

// A uid or gid: 0 to 2^32-2 (2^32-1 is the kernel's "no id").
export const idOption = (name: string, describe: string) =>
  numberOption(name, describe, { integer: true, min: 0, max: 2 ** 32 - 2, what: 'a numeric uid or gid' });

// The one machine-readable output flag of every reporting command.
export const formatOption = {
  choices: ['text', 'json'] as const,
  default: 'text' as const,
  describe: 'output format: text for people, json for scripts',
};
