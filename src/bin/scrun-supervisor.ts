// Entry point of the scrun supervisor (started by `slurm-oci-runtime create` on the scrun backend).
import { supervise } from '../runtime/scrun/supervise.js';

process.exitCode = await supervise(process.argv[2]!);
process.exit();
