// `slurm-oci sandbox <command>`: the sandbox runtime server for coding agents.
import type { CommandModule } from 'yargs';
import front from './front.js';
import serve from './serve.js';

export default {
  command: 'sandbox <command>',
  describe: 'Serve sandboxed Podman containers to coding agents over HTTP',
  builder: (y) => y.command(serve).command(front).demandCommand(1),
  handler: () => {},
} satisfies CommandModule;
