// What /proc says about the scrun anchor and its srun children. The supervisor is not their
// parent, so it cannot wait() for them: liveness and a zombie's exit code are read here instead.
import fs from 'node:fs';

export type ProcStat = { pid: number; comm: string; state: string; ppid: number; start: number; exitCode: number };

// Fields of /proc/PID/stat (state, ppid, start time, and the wait status a zombie left: field 52).
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
  return { pid, comm, state: f[0]!, ppid: Number(f[1]), start: Number(f[19]), exitCode: Number(f[49] ?? 0) };
}

// The direct children of PID, zombies included.
export function childrenOf(pid: number): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s?.ppid === pid) out.push(s);
  }
  return out;
}

// A wait status as a shell exit code: the code, or 128 + the signal.
export const waitStatusToCode = (status: number): number => ((status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f));
