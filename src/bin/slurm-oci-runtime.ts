// Entry point of the OCI runtime. Kept free of yargs, ajv and execa: Podman execs it for every
// operation. Built as CommonJS (no top-level await), see scripts/build.mjs. With SLURM_OCI_SERVE
// set (by the native front) it is the runtime server instead.
import { localIo } from '../runtime/io.js';
import { main } from '../runtime/main.js';

const socket = process.env.SLURM_OCI_SERVE;
if (socket) {
  void import('../runtime/front/serve.js').then(({ serve }) => serve(socket));
} else {
  void main(process.argv.slice(2), { io: localIo(process.env), env: process.env, cwd: process.cwd() }).then((code) => {
    process.exitCode = code;
  });
}
