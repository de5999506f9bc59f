// Writes scrun.lua from the templates in lua/: the staging code plus, for each enabled rewrite
// step of src/bundle/rootless-steps.ts, that step's Lua (lua/steps/<name>.lua.hbs).
import { scrunLuaOptions } from '../generated/validators.cjs';
import { assertValid } from '../schema/validate.js';
import { render } from '../util/template.js';
import { rootlessSteps, stepEnabled, type RootlessOptions } from '../bundle/rootless-steps.js';
import { atLeast } from '../oci-conf/keys.js';
import { targetVersion } from '../oci-conf/lint.js';

// The generator's options; schemas/scrun-lua-options.schema.json holds the defaults.
export type ScrunLuaOptions = {
  staging: 'copy' | 'hardlink' | 'none';
  copyTool: 'cp' | 'rsync';
  scratchDir: string;
  stageOut: string[];
  steps: RootlessOptions;
  slurmVersion?: string;
};

// Fills in defaults and checks the options (one error naming every bad one).
export const resolveScrunLuaOptions = (partial: object = {}): ScrunLuaOptions =>
  assertValid<ScrunLuaOptions>(scrunLuaOptions, structuredClone(partial), 'scrun.lua options', 2);

// A Lua string literal for any byte string, valid from Lua 5.1 on: printable ASCII as it is, every
// other byte (and `"`, `\\`) as a three-digit decimal escape, so a digit after it cannot join it.
export const luaString = (text: string): string =>
  `"${[...Buffer.from(text, 'utf8')]
    .map((b) =>
      b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\${String(b).padStart(3, '0')}`,
    )
    .join('')}"`;

// The scrun.lua text for OPTIONS (partial: defaults are filled in).
export function generateScrunLua(partial: object = {}, version = 'dev'): string {
  const options = resolveScrunLuaOptions(partial);
  // no version: the bundled codec, right on every release; 26.05 added slurm.from_json/to_json
  const slurmVersion = options.slurmVersion === undefined ? undefined : targetVersion(options.slurmVersion);
  const slurmJson = slurmVersion !== undefined && atLeast(slurmVersion, '26.05');
  const steps = rootlessSteps
    .filter((step) => stepEnabled(options.steps, step.name))
    .map((step) => ({ ...step, code: render(`lua/steps/${step.name}.lua.hbs`, {}).trimEnd() }));
  return render('lua/scrun.lua.hbs', {
    ...options,
    version,
    steps,
    slurmVersion,
    slurmJson,
    jsonCodec: slurmJson ? '' : render('lua/json.lua.hbs', {}),
    lit: {
      staging: luaString(options.staging),
      copyTool: luaString(options.copyTool),
      scratchDir: luaString(options.scratchDir),
      stageOut: `{ ${options.stageOut.map(luaString).join(', ')} }`,
    },
  });
}
