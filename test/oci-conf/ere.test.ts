// The POSIX ERE check against glibc's own verdicts (fixture written by fixtures/oci-conf/ere/regcomp.c).
import fs from 'node:fs';
import { expect, test } from '@jest/globals';
import { ereError } from '../../src/oci-conf/ere.js';

const rows = fs
  .readFileSync('test/fixtures/oci-conf/ere/glibc.tsv', 'utf8')
  .trimEnd()
  .split('\n')
  .map((line) => line.split('\t') as ['OK' | 'ERR', string]);

test.each(rows)('glibc says %s for %s', (verdict, re) => {
  expect(ereError(re) === null ? 'OK' : 'ERR').toBe(verdict);
});
