// Entry point of the OCI runtime. Kept free of yargs, ajv and execa: Podman execs it for every operation.
import { main } from '../runtime/main.js';

process.exitCode = await main(process.argv.slice(2));
