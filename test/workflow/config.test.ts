// The .conf parser reads values as a POSIX shell would, and refuses what would run a command.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { parseConf } from '../../src/workflow/config.js';

const env = { HOME: '/home/alice', USER: 'alice', EMPTY: '' };
const parse = (text: string) => parseConf(text, 'test.conf', env).values;
const error = (text: string) => {
  try {
    parseConf(text, 'test.conf', env);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a parse error');
};

describe('values', () => {
  test('plain, quoted and mixed words', () => {
    expect(
      parse(`A=plain\nB='single $HOME "x"'\nC="double \\"q\\" \\$x \\\\ \\n"\nD=a'b c'"d e"f\nE=\nF=''\nG=a\\ b`),
    ).toEqual({ A: 'plain', B: 'single $HOME "x"', C: 'double "q" $x \\ \\n', D: 'ab cd ef', E: '', F: '', G: 'a b' });
  });

  test('references to earlier keys and the environment', () => {
    expect(parse('DIR=/data\nT="${DIR}/train.parquet"\nU=$DIR/u\nH=$HOME/x\nW=${USER}_$USER\nL="$DIR-$"')).toEqual({
      DIR: '/data',
      T: '/data/train.parquet',
      U: '/data/u',
      H: '/home/alice/x',
      W: 'alice_alice',
      L: '/data-$',
    });
  });

  test('a key overrides the environment, later assignments override earlier ones', () => {
    expect(parse('HOME=/x\nA=$HOME\nA="$A/y"')).toEqual({ HOME: '/x', A: '/x/y' });
  });

  test('defaults: ${VAR:-word} for unset or empty, ${VAR-word} for unset only', () => {
    expect(
      parse('A=${NOPE:-/d/$USER}\nB=${EMPTY:-e}\nC=${EMPTY-e}\nD="${NOPE:-a b}"\nE=${USER:-x}\nF=${NOPE:-}'),
    ).toEqual({
      A: '/d/alice',
      B: 'e',
      C: '',
      D: 'a b',
      E: 'alice',
      F: '',
    });
  });

  test('single quotes keep $ and backslashes for the job to expand', () => {
    expect(parse(`CMD='python -m x \\\n  a="$TRAIN_DATA"'`)).toEqual({ CMD: 'python -m x \\\n  a="$TRAIN_DATA"' });
  });

  test('comments, blank lines, export, several assignments per line, tilde, continuations', () => {
    const text = `# a comment
   # indented comment

export A=1   # trailing comment
export B="x y" C=3
D=4 E=5
F=#not-a-comment
G=~/jobs
H="~/literal"
I=one\\
two
export A
`;
    expect(parse(text)).toEqual({
      A: '1',
      B: 'x y',
      C: '3',
      D: '4',
      E: '5',
      F: '#not-a-comment',
      G: '/home/alice/jobs',
      H: '~/literal',
      I: 'onetwo',
    });
  });

  test('double quotes may span lines; line numbers stay right', () => {
    const { values, lines } = parseConf('A="one\ntwo"\n\nB=2\nC=\'x\ny\'\nD=4', 'f.conf', env);
    expect(values).toEqual({ A: 'one\ntwo', B: '2', C: 'x\ny', D: '4' });
    expect(lines).toEqual({ A: 1, B: 4, C: 5, D: 7 });
  });

  test('keys named like Object.prototype members are ordinary', () => {
    expect(parse('constructor=1\nA=$constructor')).toEqual({ constructor: '1', A: '1' });
  });
});

describe('errors name the file and line', () => {
  test.each([
    ['A=1\nB=$(whoami)', 'test.conf:2: command substitution $(...)'],
    ['A=`whoami`', "test.conf:1: shell syntax '`'"],
    ['A="`whoami`"', 'test.conf:1: command substitution `...`'],
    ['A=1; B=2', "test.conf:1: shell syntax ';'"],
    ['A=x y', "test.conf:1: unexpected 'y' after the value of A"],
    ['A = 1', "test.conf:1: expected '=' after A"],
    ['\n\nA=$UNSET_THING', 'test.conf:3: $UNSET_THING is not set'],
    ['A=${UNSET_THING}', 'test.conf:1: ${UNSET_THING} is not set'],
    ['A=${X:=1}', 'test.conf:1: unclosed ${X'],
    ['A="open\n\n', 'test.conf:1: unclosed double quote'],
    ["A=1\nB='open", 'test.conf:2: unclosed single quote'],
    ['A=$1', 'test.conf:1: special parameter $1'],
    ['1A=2', "test.conf:1: expected KEY=value, found '1A=2'"],
    ['if true; then A=1; fi', "test.conf:1: expected '=' after if"],
  ])('%j', (text, message) => {
    expect(error(text)).toContain(message);
  });
});

test('values agree with what bash itself reads from the same file', async () => {
  const { execa } = await import('execa');
  const text = `# every supported form
export A=plain B='single $HOME "x"' C="double \\"q\\" \\$x \\\\ \\n"
D=a'b c'"d e"f   # comment
E=${'$'}{NOPE:-/d/$USER} F=${'$'}{EMPTY-e} G=~/jobs H="$A-$" I=one\\
two
J="multi
line" K='py \\
  x="$TRAIN"' L=a\\ b
`;
  const keys = 'ABCDEFGHIJKL'.split('');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'conf-')), 'x.conf');
  fs.writeFileSync(file, text);
  const script = `. "$0"; printf '%s\\0' ${keys.map((k) => `"$${k}"`).join(' ')}`;
  const r = await execa('bash', ['-c', script, file], { env: { ...env, PATH: process.env.PATH }, extendEnv: false });
  const fromBash = Object.fromEntries(
    r.stdout
      .split('\0')
      .slice(0, -1)
      .map((v, i) => [keys[i], v]),
  );
  expect(parse(text)).toEqual(fromBash);
});
