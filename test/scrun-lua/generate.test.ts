// The scrun.lua generator: options, quoting discipline, and one Lua step per model step; literals
// and the script's own shell quoting under real Lua 5.1 and 5.4 (test/e2e/scrun-lua.test.ts runs
// the script behind scrun).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { LUAS, luaTest } from '../helpers/lua.js';
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
    for (const args of calls) expect(args).toMatch(/^(\s*\{ "|\.\.\.|owned|mkdir|argv\))/);
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
    expect(text).toContain(`local SCRATCH_DIR = "/s p/$(x)/\\034q'\\092\\195\\169/%U"`);
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
  expect(luaString('a"b\\c\nd\u00e9')).toBe('"a\\034b\\092c\\010d\\195\\169"');
});

// Strings built to break quoting: both quotes, backslashes before digits, shell syntax, control
// bytes and multi-byte characters.
const hostile = fc.string({ unit: fc.constantFrom(...'"\'\\0123456789$`;&|(){}[]<>*?!#~ \t\n\r\x01\x7fé€😀aZ/.'.split('')), maxLength: 30 });
const stdout = (lua: string, code: string) => execFileSync(lua, ['-'], { input: code });

describe.each(LUAS)('under $lua', ({ lua, installed }) => {
  const luaIt = luaTest(lua, installed);

  luaIt('property: luaString gives back any string byte for byte', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 20 })), { minLength: 1, maxLength: 30 }), (texts) => {
        const out = stdout(lua, texts.map((t) => `io.write(${luaString(t)}, "\\0")`).join('\n'));
        expect(out).toEqual(Buffer.concat(texts.map((t) => Buffer.concat([Buffer.from(t, 'utf8'), Buffer.from([0])]))));
      }),
      { numRuns: 40 },
    );
  });

  luaIt('property: a scrun.lua with hostile --scratch-dir and --stage-out loads', () => {
    fc.assert(
      fc.property(hostile, fc.array(hostile, { maxLength: 3 }), (dir, outs) => {
        const clean = (t: string) => `/${t.replace(/[\x00-\x1f]/g, '')}`.replace(/(^|\/)\.\.(?=\/|$)/g, '$1x');
        const script = generateScrunLua({ scratchDir: clean(dir), stageOut: outs.map(clean) });
        expect(stdout(lua, `assert((loadstring or load)(${luaString(script)})) io.write("ok")`).toString()).toBe('ok');
      }),
      { numRuns: 25 },
    );
  });

  luaIt("the script's sh() keeps hostile scratch paths one word: the directory is made as named, nothing runs", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scrun-lua-q-'));
    try {
      const bundle = path.join(tmp, 'bundle');
      fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify({ ociVersion: '1.0.0', root: { path: 'rootfs' }, process: { args: ['true'] } }));
      const standIn = path.resolve('test/fixtures/scrun-lua/stand-in.lua');
      const owned = path.join(tmp, 'owned');
      for (const name of [`it's "$(touch ${owned})"`, `a\\1"2 \`touch ${owned}\``, `x;touch ${owned};y`, '$HOME & * ?', 'é\\0\\"']) {
        const scratch = path.join(tmp, name);
        const file = path.join(tmp, 'scrun.lua');
        fs.writeFileSync(file, generateScrunLua({ staging: 'none', scratchDir: scratch }));
        const r = spawnSync(lua, [standIn, file, 'c1', bundle, String(process.getuid!()), String(process.getgid!())], { encoding: 'utf8' });
        const events = r.stdout.split('\n').filter((l) => /^(IN|OUT|BUNDLE) /.test(l));
        expect({ name, events }).toEqual({ name, events: ['BUNDLE ' + path.join(scratch, 'c1'), 'IN 0', 'OUT 0'] });
        expect(fs.readdirSync(scratch)).toEqual([]);
        expect(fs.existsSync(owned)).toBe(false);
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
