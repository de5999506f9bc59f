// scrun.lua: missing, not parsing, or lacking a required function fails; no luac warns.
import { expect, test } from '@jest/globals';
import { judgeScrunLua } from '../../../src/doctor/checks/scrun-lua.js';

const good = 'function slurm_scrun_stage_in(id, b) end\nfunction  slurm_scrun_stage_out(id) end\n';
const luac = { luac: '/usr/bin/luac5.4', exitCode: 0, stderr: '' };

test('statuses', () => {
  expect(judgeScrunLua('/etc/slurm/scrun.lua', undefined)).toMatchObject({
    status: 'fail',
    fix: 'slurm-oci generate scrun-lua -o /etc/slurm/scrun.lua --force',
  });
  expect(
    judgeScrunLua('/f', 'function (', { ...luac, exitCode: 1, stderr: "luac5.4: /f:1: <name> expected near '('" })
      .detail,
  ).toMatch(/does not parse: luac5.4/);
  expect(judgeScrunLua('/f', 'function slurm_scrun_stage_in() end', luac).detail).toMatch(
    /does not define slurm_scrun_stage_out/,
  );
  expect(judgeScrunLua('/f', good).status).toBe('warn');
  expect(judgeScrunLua('/f', good, luac)).toMatchObject({
    status: 'ok',
    detail: '/f present, parses (/usr/bin/luac5.4 -p)',
  });
});
