// The harness itself: a real controller, a real node, and the repo visible inside.
import { describe, expect, test } from '@jest/globals';
import { projectInside, tbExec, tbUserSh } from '../helpers/testbed.js';

describe('test cluster', () => {
  test('the node is idle and jobs run as an ordinary user', async () => {
    const sinfo = await tbExec(['sinfo', '-h', '-o', '%T']);
    expect(sinfo.stdout.trim()).toBe('idle');
    const job = await tbUserSh(`srun -N1 sh -c 'id -un; echo job=$SLURM_JOB_ID'`);
    expect(job.exitCode).toBe(0);
    expect(job.stdout).toMatch(/^alice\njob=\d+$/);
  });

  test('the repository and its built programs are visible inside', async () => {
    const r = await tbUserSh(`${projectInside}/bin/slurm-oci-runtime --version`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^slurm-oci-runtime version /);
  });
});
