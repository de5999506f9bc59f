// What scrun's anchor writes to its --log file (--log-format json) at debug level, which the
// supervisor asks for with SCRUN_FILE_DEBUG: how srun ended, so the container's exit code needs no
// question to the controller, and whether the anchor bailed out of its allocation check (scrun's
// race, see supervise.ts). Messages as in scrun's anchor.c and alloc.c since Slurm 23.02; a log
// without them (another level set by the site, another format) answers nothing, and the job
// record is asked instead.

export type AnchorLog = {
  // srun's exit as a shell exit code (128+n for signal n), when the anchor logged reaping it
  srunCode?: number;
  // the anchor stopped itself before the container ran (alloc.c check_allocation: "bailing")
  bailed: boolean;
};

const SRUN_END = /^debug:\s+_catch_sigchld: srun\[\d+\] (?:exited with rc=0x([0-9a-f]+)|killed by signal .*\[(\d+)\])$/;
const BAILED = /^debug:\s+check_allocation: bailing /;

// The anchor's account of srun's end in TEXT, the log's lines (JSON objects with a `log` field).
export function readAnchorLog(text: string): AnchorLog {
  const result: AnchorLog = { bailed: false };
  for (const line of text.split('\n')) {
    let message: unknown;
    try {
      message = (JSON.parse(line) as { log?: unknown }).log;
    } catch {
      continue;
    }
    if (typeof message !== 'string') continue;
    const end = SRUN_END.exec(message);
    if (end) result.srunCode = end[1] !== undefined ? parseInt(end[1], 16) : 128 + Number(end[2]);
    if (BAILED.test(message)) result.bailed = true;
  }
  return result;
}
