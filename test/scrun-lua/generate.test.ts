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
    expect(lua).toMatch(
      /^function slurm_scrun_stage_in\(id, bundle, spool_dir, config_file, job_id, user_id, group_id, job_env\)$/m,
    );
    expect(lua).toMatch(
      /^function slurm_scrun_stage_out\(id, bundle, orig_bundle, root_path, orig_root_path, spool_dir, config_file, jobid, user_id, group_id\)$/m,
    );
    expect(lua.trimEnd().endsWith('return slurm.SUCCESS')).toBe(true);
  });

  test('needs no Lua module: without --slurm-version it bundles its JSON codec, right on every release', () => {
    expect(lua).not.toMatch(/require/);
    expect(lua).toContain('local decode, encode = json.decode, json.encode');
    expect(lua).not.toMatch(/slurm\.(from|to)_json\(/);
  });

  test('only run() reaches the shell, and it quotes every word', () => {
    expect(lua.match(/allocator_command|remote_command|os\.execute|io\.popen/g)).toEqual(['allocator_command']);
    expect(lua).toMatch(/for j, word in ipairs\(argv\) do words\[j\] = sh\(word\) end/);
    // no command text is assembled by hand: run() only ever gets argv tables
    const code = lua
      .split('\n')
      .filter((l) => !l.trim().startsWith('--'))
      .join('\n');
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

describe('by Slurm version', () => {
  // the bundled codec's own names, none of which the 26.05 script may carry
  const codec = /local json = |json\.(decode|encode|null|ARRAY)|json_(value|encode|string)/;

  test("26.05 and later: no bundled codec, Slurm's slurm.from_json/to_json instead", () => {
    const text = generateScrunLua({ slurmVersion: '26.05' });
    expect(text).not.toMatch(codec);
    expect(text).toContain('return slurm.from_json(text)');
    expect(text).toContain('return slurm.to_json(without_empty(value))');
    expect(text).toMatch(/^-- For Slurm 26\.05: JSON through Slurm's own/m);
  });

  test.each(['24.11', '25.05', '25.11'])('%s keeps the bundled codec and never calls slurm.*_json', (slurmVersion) => {
    const text = generateScrunLua({ slurmVersion });
    expect(text).toMatch(codec);
    expect(text).not.toMatch(/slurm\.(from|to)_json\(/);
    expect(text).toContain(`(generated for ${slurmVersion})`);
  });

  test('an unknown release is one usage error naming the known ones', () => {
    expect(() => generateScrunLua({ slurmVersion: '19.05' })).toThrow(/unknown Slurm version: 19.05/);
  });
});

// Strings built to break quoting: both quotes, backslashes before digits, shell syntax, control
// bytes and multi-byte characters.
const hostile = fc.string({
  unit: fc.constantFrom(...'"\'\\0123456789$`;&|(){}[]<>*?!#~ \t\n\r\x01\x7fé€😀aZ/.'.split('')),
  maxLength: 30,
});
const stdout = (lua: string, code: string) => execFileSync(lua, ['-'], { input: code });

describe.each(LUAS)('under $lua', ({ lua, installed }) => {
  const luaIt = luaTest(lua, installed);

  luaIt('property: luaString gives back any string byte for byte', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(hostile, fc.string({ unit: 'binary', maxLength: 20 })), { minLength: 1, maxLength: 30 }),
        (texts) => {
          const out = stdout(lua, texts.map((t) => `io.write(${luaString(t)}, "\\0")`).join('\n'));
          expect(out).toEqual(
            Buffer.concat(texts.map((t) => Buffer.concat([Buffer.from(t, 'utf8'), Buffer.from([0])]))),
          );
        },
      ),
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

  // Slurm's own from_json/to_json cannot run here: the stand-in fakes them (STAND_IN_SLURM_JSON) by the
  // rules of src/lua/slurm_lua.c, and the 26.05 script must write what the bundled codec writes.
  const standIn = path.resolve('test/fixtures/scrun-lua/stand-in.lua');
  const stageIn = (options: object, env: Record<string, string> = {}) => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scrun-lua-json-'));
    try {
      const bundle = path.join(tmp, 'bundle');
      fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
      const config = {
        ociVersion: '1.0.0',
        root: { path: 'rootfs' },
        annotations: {},
        hostname: null,
        process: { args: ['true'], env: [], user: { uid: 0, gid: 0 } },
        linux: { namespaces: [{ type: 'mount' }], sysctl: {} },
      };
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config));
      const file = path.join(tmp, 'scrun.lua');
      fs.writeFileSync(file, generateScrunLua({ staging: 'none', scratchDir: path.join(tmp, 'scratch'), ...options }));
      const r = spawnSync(lua, [standIn, file, 'c1', bundle, '1000', '1000'], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      const line = (kind: string) =>
        /^(\S+) (.*)$/.exec(r.stdout.split('\n').find((l) => l.startsWith(`${kind} `)) ?? '')?.[2];
      const json = line('CONFIG');
      return {
        in: Number(line('IN')),
        config: json === undefined ? undefined : JSON.parse(json.replaceAll('\\n', '\n')),
        logs: r.stdout,
      };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  };
  const slurmJson = { STAND_IN_SLURM_JSON: path.resolve('lua/json.lua.hbs') };

  luaIt("a 26.05 script on Slurm 26.05 (stand-in): the bundled codec's config.json, empty objects left out", () => {
    const bundled = stageIn({});
    const slurm = stageIn({ slurmVersion: '26.05' }, slurmJson);
    if (lua === 'lua5.1') {
      // Slurm on Lua 5.1 has no integers: its to_json would write uid 1000 as 1000.0
      expect(slurm.in).toBe(-1);
      expect(slurm.logs).toMatch(/slurm\.to_json under Lua 5\.1 writes every number as a float/);
      return;
    }
    expect(bundled.in).toBe(0);
    expect(slurm.in).toBe(0);
    expect(bundled.config).toMatchObject({
      annotations: {},
      linux: { sysctl: {}, uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }] },
    });
    // what Slurm's codec cannot keep: null members (nil in Lua) and empty {} and [] members
    const { annotations, hostname, ...rest } = bundled.config;
    delete rest.linux.sysctl;
    delete rest.process.env;
    const root = (c: { root: { path: string } }) => ({ ...c, root: { path: path.basename(c.root.path) } });
    expect(root(slurm.config)).toEqual(root(rest));
  });

  luaIt('a 26.05 script on a Slurm without slurm.from_json says to regenerate it', () => {
    const r = stageIn({ slurmVersion: '26.05' });
    expect(r.in).toBe(-1);
    expect(r.logs).toMatch(/uses slurm\.from_json \(Slurm 26\.05\+\), which this Slurm lacks: regenerate it/);
  });

  luaIt("the script's sh() keeps hostile scratch paths one word: the directory is made as named, nothing runs", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scrun-lua-q-'));
    try {
      const bundle = path.join(tmp, 'bundle');
      fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
      fs.writeFileSync(
        path.join(bundle, 'config.json'),
        JSON.stringify({ ociVersion: '1.0.0', root: { path: 'rootfs' }, process: { args: ['true'] } }),
      );
      const standIn = path.resolve('test/fixtures/scrun-lua/stand-in.lua');
      const owned = path.join(tmp, 'owned');
      for (const name of [
        `it's "$(touch ${owned})"`,
        `a\\1"2 \`touch ${owned}\``,
        `x;touch ${owned};y`,
        '$HOME & * ?',
        'é\\0\\"',
      ]) {
        const scratch = path.join(tmp, name);
        const file = path.join(tmp, 'scrun.lua');
        fs.writeFileSync(file, generateScrunLua({ staging: 'none', scratchDir: scratch }));
        const r = spawnSync(lua, [standIn, file, 'c1', bundle, String(process.getuid!()), String(process.getgid!())], {
          encoding: 'utf8',
        });
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
