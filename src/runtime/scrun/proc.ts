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

// Our processes titled `scrun: ID`: the anchors of container ID (found before one wrote its pid file).
export function anchorsOf(id: string): number[] {
  const uid = process.getuid?.();
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => cmdlineOf(pid).join(' ').trim() === `scrun: ${id}` && ownedBy(pid, uid));
}

function ownedBy(pid: number, uid: number | undefined): boolean {
  try {
    return uid === undefined || fs.statSync(`/proc/${pid}`).uid === uid;
  } catch {
    return false;
  }
}

// The arguments PID runs with; [] when it is gone.
export function cmdlineOf(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  } catch {
    return [];
  }
}

// The job an srun command line runs in (scrun's anchor passes `--jobid N`).
export function jobIdArg(args: string[]): number | undefined {
  const i = args.findIndex((a) => a === '--jobid' || a.startsWith('--jobid='));
  const value = i < 0 ? undefined : args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

// A wait status as a shell exit code: the code, or 128 + the signal.
export const waitStatusToCode = (status: number): number =>
  (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
