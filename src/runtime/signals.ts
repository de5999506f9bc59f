// Signal arguments as runc takes them: a number, a name, or a name with SIG (kill ID KILL / 9 / SIGKILL).
import os from 'node:os';
import { CliError } from '../errors.js';

const byName = os.constants.signals as Record<string, number>;

// The signal number, or a CliError that names the bad signal.
export function parseSignal(arg: string | undefined): number {
  if (arg === undefined) return byName.SIGTERM!;
  if (/^\d+$/.test(arg)) {
    const n = Number(arg);
    if (n >= 1 && n <= 64) return n;
  } else {
    const name = arg.toUpperCase();
    const n = byName[name.startsWith('SIG') ? name : `SIG${name}`];
    if (n !== undefined) return n;
  }
  throw new CliError(`invalid signal "${arg}"`, 1, 'give a number (9) or a name (KILL, SIGKILL)');
}
