// Entry point of the OCI runtime. Kept free of yargs, ajv and execa: Podman execs it for every
// operation. Built as CommonJS (no top-level await), see scripts/build.mjs.
import { main } from '../runtime/main.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
