// Slurm's parser rules (parse_config.c) as the model reads them.
import { describe, expect, test } from '@jest/globals';
import { parseOciConf, scanOciConf } from '../../src/oci-conf/parse.js';

describe('parseOciConf', () => {
  test('quoted and bare values, several pairs on a line, keys case-insensitive', () => {
    expect(parseOciConf('runtimerun="a b"  DisableCleanup=YES\nContainerPath=/x')).toEqual({
      RunTimeRun: 'a b',
      DisableCleanup: true,
      ContainerPath: '/x',
    });
  });
  test('# starts a comment even inside quotes, unless escaped by an odd number of backslashes', () => {
    expect(parseOciConf('RunTimeRun="a \\# b" # note')).toEqual({ RunTimeRun: 'a # b' });
    expect(parseOciConf('RunTimeRun="a\\\\#b"').RunTimeRun).toBe('"a\\');
  });
  test('every backslash is dropped and the next character kept', () => {
    expect(parseOciConf('EnvExclude="^A\\.B\\\\.C"').EnvExclude).toBe('^A.B\\.C');
  });
  test('a line ending in an odd number of backslashes continues', () => {
    expect(parseOciConf('RunTimeRun="a \\\n b"\nRunTimeKill=k')).toEqual({ RunTimeRun: 'a  b', RunTimeKill: 'k' });
    expect(parseOciConf('RunTimeKill=a\\\\\nRunTimeDelete=d')).toEqual({ RunTimeKill: 'a\\', RunTimeDelete: 'd' });
  });
  test('SrunArgs accumulates; other keys keep the last value', () => {
    expect(parseOciConf('SrunArgs=--a\nSrunArgs="--b c"\nRunTimeRun=x\nRunTimeRun=y')).toEqual({
      SrunArgs: ['--a', '--b c'],
      RunTimeRun: 'y',
    });
  });
  test('CreateEnvFile words map to the file they ask for', () => {
    expect(parseOciConf('CreateEnvFile=Yes').CreateEnvFile).toBe('null');
    expect(parseOciConf('CreateEnvFile=newline').CreateEnvFile).toBe('newline');
    expect(parseOciConf('CreateEnvFile=0').CreateEnvFile).toBe('disabled');
  });
  test('an empty quoted value is an empty string', () => {
    expect(parseOciConf('DisableHooks=""')).toEqual({ DisableHooks: '' });
  });
});

describe('scanOciConf problems', () => {
  test('a bare key without a value is a syntax error', () => {
    expect(scanOciConf('RunTimeRun=').problems).toEqual([expect.objectContaining({ line: 1, kind: 'syntax' })]);
  });
  test('Include lines are reported, not followed', () => {
    expect(scanOciConf('Include /etc/slurm/other.conf').problems).toEqual([
      expect.objectContaining({ kind: 'include' }),
    ]);
  });
  test('line numbers count physical lines across continuations', () => {
    expect(scanOciConf('# c\nRunTimeRun="a \\\nb"\nBad=1').problems).toEqual([
      expect.objectContaining({ line: 4, kind: 'unknown-key', key: 'Bad' }),
    ]);
  });
});
