// Runs one expanded RunTime* command the way slurmstepd's run_command() does: `/bin/sh -c`, stdin
// /dev/null, stdout and stderr merged into one pipe, in its own process group, finished only when
// the pipe reaches EOF. So a runtime that leaves a process holding the pipe (as `crun create` does:
// the waiting container keeps Create's output open) blocks here as it blocks slurmstepd; the
// timeout then reports it instead of hanging.
import { spawn } from 'node:child_process';
import os from 'node:os';

// Another user's identity, for root running the check on their behalf.
export type RunAs = { uid: number; gid: number; home: string; name: string };
// How a command ended: exit code (128+N for signal N), merged output, and whether it hit the timeout.
export type Finished = { exitCode: number | null; output: string; seconds: number; timedOut: boolean };
// A command still running: its pid (%p), output so far, and signals for its whole process group.
export type Running = {
  pid: number;
  done: Promise<Finished>;
  output: () => string;
  kill: () => void;
  signal: (name: NodeJS.Signals) => void;
};

// Starts COMMAND under /bin/sh in CWD, as RUNAS when given (root only).
export function startCommand(command: string, options: { cwd: string; runAs?: RunAs; timeoutMs: number }): Running {
  const { runAs } = options;
  const env = runAs
    ? {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: runAs.home,
        USER: runAs.name,
        XDG_RUNTIME_DIR: `/run/user/${runAs.uid}`,
      }
    : process.env;
  const started = Date.now();
  const child = spawn('/bin/sh', ['-c', `exec 2>&1\n${command}`], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
    uid: runAs?.uid,
    gid: runAs?.gid,
    env,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // already gone
    }
  };
  const kill = () => signal('SIGKILL');
  const done = new Promise<Finished>((resolve) => {
    let exitCode: number | null = null;
    const finish = (timedOut: boolean) => {
      clearTimeout(timer);
      child.stdout.destroy();
      resolve({ exitCode, output, seconds: (Date.now() - started) / 1000, timedOut });
    };
    const timer = setTimeout(() => {
      kill();
      finish(true);
    }, options.timeoutMs);
    child.on('exit', (code, signal) => (exitCode = signal ? 128 + os.constants.signals[signal] : code));
    child.on('error', () => finish(false));
    child.on('close', () => finish(false)); // the pipe's EOF, as run_command waits for it
  });
  return { pid: child.pid ?? -1, done, output: () => output, kill, signal };
}

// Runs COMMAND to EOF on its output (or the timeout).
export const runCommand = (command: string, options: Parameters<typeof startCommand>[1]): Promise<Finished> =>
  startCommand(command, options).done;
