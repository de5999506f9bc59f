// The quoting every shell-bound path goes through, checked by a real /bin/sh.
import { execFileSync } from 'node:child_process';
import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { shellJoin, shellQuote } from '../../src/util/shell.js';

const hostile = [
  'plain',
  'with space',
  "it's",
  '$(touch /tmp/pwned)',
  '`id`',
  'a"b',
  '',
  'semi;colon',
  'new\nline',
  '*',
];

test('sh gives back every argument unchanged and runs nothing inside it', () => {
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${shellJoin(hostile)}`], { encoding: 'utf8' });
  expect(out.split('\0').slice(0, -1)).toEqual(hostile);
});

test('safe words stay bare, the rest is single-quoted', () => {
  expect(shellQuote('/run/user/1000/b-1.x')).toBe('/run/user/1000/b-1.x');
  expect(shellQuote('a b')).toBe("'a b'");
  expect(shellQuote("it's")).toBe(`'it'\\''s'`);
});

test('property: any string without NUL comes back from a real sh byte for byte', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replaceAll('\0', '')),
        { minLength: 1, maxLength: 20 },
      ),
      (words) => {
        const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${shellJoin(words)}`]);
        expect(out.toString('utf8').split('\0').slice(0, -1)).toEqual(words);
      },
    ),
    { numRuns: 60 },
  );
});
