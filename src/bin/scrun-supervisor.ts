// Entry point of the scrun supervisor (`scrun-supervisor ROOT ID`, started by `slurm-oci-runtime
// create` on the scrun backend).
import { supervisorMain } from '../runtime/scrun/supervise.js';

process.exitCode = await supervisorMain(process.argv[2]!, process.argv[3]!);
process.exit();
