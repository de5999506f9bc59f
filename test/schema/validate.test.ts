// The precompiled runtime-spec validators against the spec's own good and bad example files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import * as oci from '../../src/generated/oci-validators.cjs';
import { assertValid, formatSchemaErrors } from '../../src/schema/validate.js';

const fixtures = path.resolve('test/fixtures/oci-runtime-spec');
// The spec's bad examples include files that are not JSON at all (invalid-json.json): text, not data.
const load = (kind: string, verdict: string) =>
  fs.readdirSync(path.join(fixtures, kind, verdict)).map((f) => ({
    file: f,
    text: fs.readFileSync(path.join(fixtures, kind, verdict, f), 'utf8'),
  }));
const parses = (text: string) => {
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, data: undefined };
  }
};

describe.each([
  ['config', oci.config],
  ['state', oci.state],
  ['features', oci.features],
])('%s schema', (kind, validate) => {
  test.each(load(kind, 'good'))('accepts good/$file', ({ text }) => {
    const { data } = parses(text);
    expect(formatSchemaErrors(validate(data) ? null : validate.errors)).toEqual([]);
  });
  test.each(load(kind, 'bad'))('rejects bad/$file', ({ text }) => {
    const { ok, data } = parses(text);
    expect(ok && validate(data)).toBe(false);
  });
});

describe('assertValid', () => {
  test('names the JSON path and the rule', () => {
    expect(() => assertValid(oci.config, { ociVersion: '1.0.0', process: { cwd: 1 } }, 'bundle config.json')).toThrow(
      /bundle config\.json is invalid:\n {2}\/process\/cwd: must be string/,
    );
  });
});
