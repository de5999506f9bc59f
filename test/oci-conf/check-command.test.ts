// check oci-conf refuses, before running anything, a bundle whose rootfs lacks what the check runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@jest/globals';
import { runCli } from '../../src/cli.js';

test('a bundle without sleep: the message names the bundle, not the container id', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'check-'));
  try {
    fs.mkdirSync(path.join(tmp, 'b/rootfs/bin'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'b/rootfs/bin/sh'), '');
    fs.writeFileSync(
      path.join(tmp, 'b/config.json'),
      JSON.stringify({ ociVersion: '1.0.0', root: { path: 'rootfs' }, process: { args: ['sh'] } }),
    );
    fs.writeFileSync(
      path.join(tmp, 'oci.conf'),
      'RunTimeRun="crun run --bundle %b %n.%u.%j.%s.%t"\nRunTimeKill="crun kill %n.%u.%j.%s"\nRunTimeDelete="crun delete %n.%u.%j.%s"\n',
    );
    const error = await runCli([
      'check',
      'oci-conf',
      path.join(tmp, 'oci.conf'),
      '--bundle',
      path.join(tmp, 'b'),
    ]).catch((e: unknown) => e);
    expect(error).toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/rootfs .* has no sleep: the check runs/),
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
