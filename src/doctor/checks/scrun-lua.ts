// scrun runs the stage-in/stage-out functions of scrun.lua (beside slurm.conf) for every container
// and will not start without the file or with a syntax error in it.
import { fail, ok, skip, warn, type Check, type Finding } from '../check.js';
import { firstLine } from '../host.js';
import { locate } from './oci-conf.js';

const luacs = ['luac', 'luac5.4', 'luac5.3', 'luac5.2', 'luac5.1'];

// Judges the file: present, both required functions defined, and `luac -p` (undefined: no luac).
export function judgeScrunLua(
  file: string,
  text: string | undefined,
  syntax?: { luac: string; exitCode: number; stderr: string },
): Finding {
  const regenerate = `slurm-oci generate scrun-lua -o ${file} --force`;
  if (text === undefined) return fail(`${file} is missing: scrun will not start`, regenerate);
  if (syntax && syntax.exitCode !== 0) return fail(`${file} does not parse: ${firstLine(syntax.stderr)}`, regenerate);
  const missing = ['slurm_scrun_stage_in', 'slurm_scrun_stage_out'].filter(
    (fn) => !new RegExp(`function\\s+${fn}\\b`).test(text),
  );
  if (missing.length) return fail(`${file} does not define ${missing.join(' and ')}, which scrun requires`, regenerate);
  if (!syntax)
    return warn(
      `${file} present, not syntax-checked (no luac on PATH)`,
      `install luac (${luacs.slice(1).join(', ')}) to check it`,
    );
  return ok(`${file} present, parses (${syntax.luac} -p)`);
}

export default {
  name: 'scrun-lua',
  run: async (host) => {
    if (!host.which('scrun')) return skip('no scrun here, so no scrun.lua needed');
    const { file, text } = locate(host, 'scrun.lua');
    const luac = luacs.map((name) => host.which(name)).find(Boolean);
    const syntax = text !== undefined && luac ? { luac, ...(await host.run(luac, ['-p', file])) } : undefined;
    return judgeScrunLua(file, text, syntax);
  },
} satisfies Check;
