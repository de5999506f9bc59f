// The scrun.lua generator: options, quoting discipline, and one Lua step per model step. Running the
// script needs Lua, which only the testbed has: test/e2e/scrun-lua.test.ts does that.
import fs from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { generateScrunLua, luaString } from '../../src/scrun-lua/generate.js';
import { rootlessSteps } from '../../src/bundle/rootless-steps.js';

describe('generateScrunLua', () => {
  const lua = generateScrunLua();

  test('defines both scrun entry points and returns slurm.SUCCESS', () => {
    expect(lua).toMatch(/^function slurm_scrun_stage_in\(id, bundle, spool_dir, config_file, job_id, user_id, group_id, job_env\)$/m);
    expect(lua).toMatch(/^function slurm_scrun_stage_out\(id, bundle, orig_bundle, root_path, orig_root_path, spool_dir, config_file, jobid, user_id, group_id\)$/m);
    expect(lua.trimEnd().endsWith('return slurm.SUCCESS')).toBe(true);
  });

  test('needs no Lua module and uses slurm.from_json/to_json when Slurm has them', () => {
    expect(lua).not.toMatch(/require/);
    expect(lua).toContain('local decode = slurm.from_json or json.decode');
    expect(lua).toContain('local encode = slurm.to_json or json.encode');
  });

  test('only run() reaches the shell, and it quotes every word', () => {
    expect(lua.match(/allocator_command|remote_command|os\.execute|io\.popen/g)).toEqual(['allocator_command']);
    expect(lua).toMatch(/for j, word in ipairs\(argv\) do words\[j\] = sh\(word\) end/);
    // no command text is assembled by hand: run() only ever gets argv tables
    const code = lua.split('\n').filter((l) => !l.trim().startsWith('--')).join('\n');
    const calls = [...code.matchAll(/\brun\(([\s\S]{0,8})/g)].map((m) => m[1]);
    expect(calls.length).toBeGreaterThan(5);
    for (const args of calls) expect(args).toMatch(/^(\s*\{ "|\.\.\.|owned|mkdir)/);
  });

  test('does not iterate job_env with ipairs (scrun indexes it from 0)', () => {
    expect(lua).not.toMatch(/ipairs\(job_env\)/);
  });

  test('renders every enabled step, in the model order, and leaves out disabled ones', () => {
    const names = (text: string) => [...text.matchAll(/^-- (\w+): /gm)].map((m) => m[1]);
    expect(names(lua)).toEqual(rootlessSteps.map((s) => s.name).filter((n) => n !== 'bindMounts'));
    const some = generateScrunLua({ steps: { mapIds: false, bindMounts: 'copy' } });
    expect(names(some)).toEqual(rootlessSteps.map((s) => s.name).filter((n) => n !== 'mapIds'));
  });

  test('every model step has a Lua template', () => {
    for (const { name } of rootlessSteps) expect(fs.existsSync(`lua/steps/${name}.lua.hbs`)).toBe(true);
  });

  test('options become Lua literals, whatever they contain', () => {
    const text = generateScrunLua({ staging: 'hardlink', scratchDir: `/s p/$(x)/"q'\\é/%U`, stageOut: ['/out'] });
    expect(text).toContain(`local SCRATCH_DIR = "/s p/$(x)/\\34q'\\92\\195\\169/%U"`);
    expect(text).toContain('local STAGING = "hardlink"');
    expect(text).toContain('local STAGE_OUT = { "/out" }');
  });

  test('bad options get one error naming each', () => {
    expect(() => generateScrunLua({ staging: 'move', scratchDir: 'relative', stageOut: ['/a/../b'] })).toThrow(
      /scrun.lua options is invalid:\n {2}\/staging: must be equal to one of the allowed values \(copy, hardlink, none\)\n {2}\/scratchDir: must match pattern/,
    );
    expect(() => generateScrunLua({ scratchDir: '/a\nb' })).toThrow(/scratchDir/);
    expect(() => generateScrunLua({ stageOut: ['/a/../b'] })).toThrow(/stageOut\/0: must NOT be valid/);
  });
});

test('luaString escapes quotes, backslashes, control and non-ASCII bytes in decimal', () => {
  expect(luaString('a"b\\c\nd\u00e9')).toBe('"a\\34b\\92c\\10d\\195\\169"');
});
