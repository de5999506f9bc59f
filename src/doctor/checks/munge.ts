// Slurm's Podman and Docker integration needs AuthType=auth/munge (JWT is not supported), and every
// scrun call authenticates through munged: a credential must encode and decode here.
import { fail, ok, type Check, type Finding } from '../check.js';
import { firstLine } from '../host.js';

const fix =
  'start munged (`sudo systemctl enable --now munge`) and make /etc/munge/munge.key the same as on the controller';

// Judges `munge -n | unmunge`: each step's exit code and error output (undefined: not installed).
export function judgeMunge(
  encode?: { exitCode: number; stderr: string },
  decode?: { exitCode: number; stdout: string; stderr: string },
): Finding {
  if (!encode || !decode)
    return fail(
      'munge/unmunge are not installed: Slurm containers need AuthType=auth/munge',
      `install munge; then ${fix}`,
    );
  if (encode.exitCode !== 0) return fail(`munge -n failed: ${firstLine(encode.stderr)}`, fix);
  if (decode.exitCode !== 0) return fail(`unmunge failed: ${firstLine(decode.stderr || decode.stdout)}`, fix);
  return ok('munge -n | unmunge: Success');
}

export default {
  name: 'munge',
  run: async (host) => {
    const [munge, unmunge] = [host.which('munge'), host.which('unmunge')];
    if (!munge || !unmunge) return judgeMunge();
    const encode = await host.run(munge, ['-n']);
    const decode = encode.exitCode === 0 ? await host.run(unmunge, [], encode.stdout) : undefined;
    return judgeMunge(encode, decode ?? { exitCode: 1, stdout: '', stderr: 'not tried' });
  },
} satisfies Check;
