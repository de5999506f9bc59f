// Child processes on the hot path, with node:child_process rather than execa (execa adds ~50 ms
// to every start of a program Podman execs for every operation).
import { execFile, spawnSync } from 'node:child_process';
import os from 'node:os';

export type Captured = { code: number; stdout: string; stderr: string };

// An exit status as a shell reports it: the code, or 128 + the signal that killed it.
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + ((signal && (os.constants.signals as Record<string, number>)[signal]) || 0);
}

// Runs BIN with this process's stdio (the container's, under conmon) and returns its exit status.
// EXTRA_FDS are inherited as fds 3, 4, … (runc's --preserve-fds). Commands go through io().runInherit.
export function runInheritHere(bin: string, args: string[], extraFds = 0, env?: NodeJS.ProcessEnv): number {
  const stdio = ['inherit', 'inherit', 'inherit', ...Array.from({ length: extraFds }, (_, i) => i + 3)] as const;
  const r = spawnSync(bin, args, { stdio: [...stdio], env });
  if (r.error) throw r.error;
  return exitStatus(r.status, r.signal);
}

// capture() without blocking: for the runtime server, where a blocked event loop holds every other call.
export function captureAsync(
  bin: string,
  args: string[],
  timeoutMs = 30_000,
  env?: NodeJS.ProcessEnv,
): Promise<Captured> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', env },
      (error, stdout, stderr) => {
        const e = error as
          (NodeJS.ErrnoException & { killed?: boolean; code?: number | string; signal?: NodeJS.Signals }) | null;
        if (e && typeof e.code === 'string') return reject(e);
        const code = e?.killed ? 124 : e ? exitStatus(typeof e.code === 'number' ? e.code : null, e.signal ?? null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// Runs BIN (with ENV, default ours) and captures its output; never throws for a non-zero exit or a timeout (code 124).
export function capture(bin: string, args: string[], timeoutMs = 30_000, env?: NodeJS.ProcessEnv): Captured {
  const r = spawnSync(bin, args, { encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', env });
  if (r.error && (r.error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw r.error;
  const code = r.error ? 124 : exitStatus(r.status, r.signal);
  return { code, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
