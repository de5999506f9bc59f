// Runs one expanded RunTime* command the way slurmstepd's run_command() does: `/bin/sh -c`, stdin
// /dev/null, stdout and stderr merged, in its own process group. Output goes to a file, not a pipe,
// so a runtime that leaves a child holding the pipe cannot hang the check.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type RunAs = { uid: number; gid: number; home: string; name: string };
export type Finished = { exitCode: number | null; output: string; seconds: number; timedOut: boolean };
export type Running = { pid: number; done: Promise<Finished>; output: () => string; kill: () => void };

let counter = 0;

// Starts COMMAND under /bin/sh in CWD; LOGDIR holds its output file.
export function startCommand(command: string, options: { cwd: string; logDir: string; runAs?: RunAs; timeoutMs: number }): Running {
  const log = path.join(options.logDir, `cmd-${++counter}.log`);
  const fd = fs.openSync(log, 'w', 0o600);
  if (options.runAs) fs.fchownSync(fd, options.runAs.uid, options.runAs.gid);
  const env = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...(options.runAs ? { HOME: options.runAs.home, USER: options.runAs.name, XDG_RUNTIME_DIR: `/run/user/${options.runAs.uid}` } : {}) };
  const started = Date.now();
  const child = spawn('/bin/sh', ['-c', command], {
    cwd: options.cwd, stdio: ['ignore', fd, fd], detached: true, uid: options.runAs?.uid, gid: options.runAs?.gid,
    env: options.runAs ? env : process.env,
  });
  fs.closeSync(fd);
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, options.timeoutMs);
  const output = () => fs.readFileSync(log, 'utf8');
  const done = new Promise<Finished>((resolve) => {
    const finish = (exitCode: number | null) => {
      clearTimeout(timer);
      resolve({ exitCode, output: output(), seconds: (Date.now() - started) / 1000, timedOut });
    };
    child.on('error', () => finish(null));
    child.on('exit', (code, signal) => finish(signal ? 128 + os.constants.signals[signal] : code));
  });
  return { pid: child.pid ?? -1, done, output, kill };
}

// Runs COMMAND to the end (or the timeout).
export const runCommand = (command: string, options: Parameters<typeof startCommand>[1]): Promise<Finished> => startCommand(command, options).done;
