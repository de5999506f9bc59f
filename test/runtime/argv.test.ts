// runc's flag grammar: Go flag rules, flags before positionals, values in both spellings.
import { describe, expect, test } from '@jest/globals';
import { parseFlags, positionals } from '../../src/runtime/argv.js';

const specs = {
  bundle: { type: 'string', alias: 'b' },
  force: { type: 'bool', alias: 'f' },
  env: { type: 'list', alias: 'e' },
  rootless: { type: 'optional', values: ['true', 'false', 'auto'] },
} as const;

describe('parseFlags', () => {
  test('takes --x v, --x=v, -x v and stops at the first positional', () => {
    const p = parseFlags(['--bundle', '/b', '-f', '-e', 'A=1', '--env=B=2', 'id', '--force'], specs, 'create');
    expect(p.flags).toEqual({ bundle: '/b', force: true, env: ['A=1', 'B=2'] });
    expect(p.rest).toEqual(['id', '--force']);
  });

  test('single-dash long names and -- end the flags', () => {
    expect(parseFlags(['-bundle=/x', '--', '-f'], specs, 'create')).toEqual({ flags: { bundle: '/x' }, rest: ['-f'] });
  });

  test('--rootless takes a value only when one of its values follows', () => {
    expect(parseFlags(['--rootless', 'state', 'x'], specs, 'g').flags.rootless).toBe('true');
    expect(parseFlags(['--rootless', 'false', 'state'], specs, 'g').flags.rootless).toBe('false');
    expect(parseFlags(['--rootless=auto', 'state'], specs, 'g').flags.rootless).toBe('auto');
  });

  test('unknown flags, missing values and bad booleans are usage errors with exit 1', () => {
    expect(() => parseFlags(['--nope'], specs, 'create')).toThrow(
      expect.objectContaining({ exitCode: 1, message: 'create: flag provided but not defined: -nope' }),
    );
    expect(() => parseFlags(['--bundle'], specs, 'create')).toThrow(/flag needs an argument: -bundle/);
    expect(() => parseFlags(['--force=maybe'], specs, 'delete')).toThrow(/invalid boolean value "maybe"/);
  });
});

test('positionals enforces the count', () => {
  expect(positionals({ flags: {}, rest: ['a'] }, 'state', 1)).toEqual(['a']);
  expect(() => positionals({ flags: {}, rest: [] }, 'state', 1)).toThrow(/requires exactly 1 argument/);
  expect(() => positionals({ flags: {}, rest: ['a', 'b', 'c'] }, 'kill', 1, 2)).toThrow(/requires 1 to 2 argument/);
});
