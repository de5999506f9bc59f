// The container driver: rootless Podman as the user running the server, one `podman run -d` per
// sandbox (host network, per-worker CPU and memory limits) and one `podman exec` per command.
// Environment values go through a 0600 --env-file, never argv, because they may hold secrets.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { execa, type Options } from 'execa';
import { capture } from './capture.js';
import {
  NoSuchFileError,
  NotRunningError,
  type ContainerState,
  type Driver,
  type ExecRequest,
  type ExecResult,
  type RunSpec,
} from './driver.js';

// The label that marks a container as started by one server (value: the server's id).
export const SERVER_LABEL = 'io.slurm-oci.sandbox-server';
// Every exec'd process carries this variable (a fresh value per call), so a timeout can find and
// kill exactly that command's processes inside the container: killing `podman exec` leaves them running.
const EXEC_MARKER = 'SLURM_OCI_EXEC_ID';
const KILL_MARKED =
  'for e in /proc/[0-9]*/environ; do if grep -q "$1" "$e" 2>/dev/null; then p=${e#/proc/}; kill -9 "${p%/environ}" 2>/dev/null; fi; done; true';

// How to drive Podman for one server.
export type PodmanOptions = {
  serverId: string;
  // Passed as `podman --runtime` (absent: Podman's configured runtime).
  runtime?: string;
  // slurm-oci-runtime's backend, passed as `--runtime-flag backend=X` and SLURM_OCI_BACKEND.
  backend?: string;
  cpus?: number;
  memory?: string;
  // A private (0700) directory for env files and copies.
  workDir: string;
  maxOutputBytes: number;
  // What a sandbox container runs when the client names no command.
  keepAlive: string[];
};

const tail = (text: string) => text.trim().split('\n').slice(-3).join(' / ');
// What went wrong with a podman call: its own last words, or why it could not run at all.
const why = (r: { stderr?: unknown; shortMessage?: string }) => tail(String(r.stderr ?? '')) || (r.shortMessage ?? 'unknown error');
const notRunning = (exitCode: number | undefined, stderr: string) =>
  exitCode === 125 && /state improper|no such container|not running/i.test(stderr);
const missingPath = (stderr: string) => /no such file or directory|could not find|not a directory/i.test(stderr);

// Drives rootless Podman through its command line.
export class Podman implements Driver {
  private readonly global: string[];
  private readonly env: Record<string, string>;

  constructor(private readonly o: PodmanOptions) {
    this.global = [
      ...(o.runtime ? ['--runtime', o.runtime] : []),
      ...(o.backend ? ['--runtime-flag', `backend=${o.backend}`] : []),
    ];
    this.env = o.backend ? { SLURM_OCI_BACKEND: o.backend } : {};
  }

  async run(name: string, spec: RunSpec): Promise<void> {
    const limits = [
      ...(this.o.cpus ? ['--cpus', String(this.o.cpus)] : []),
      ...(this.o.memory ? ['--memory', this.o.memory] : []),
    ];
    const r = await this.withEnvFile(spec.env, (envArgs) =>
      this.podman(
        ['run', '-d', '--name', name, '--label', `${SERVER_LABEL}=${this.o.serverId}`, '--network', 'host',
          ...limits, ...envArgs, ...(spec.workdir ? [`--workdir=${spec.workdir}`] : []),
          spec.image, ...(spec.command ?? this.o.keepAlive)],
        { timeout: 900_000 }, // the first start of an image may pull it
      ),
    );
    if (r.exitCode !== 0) {
      await this.remove([name]).catch(() => {});
      throw new Error(`podman run of ${spec.image} failed: ${why(r)}`);
    }
  }

  async exec(name: string, request: ExecRequest): Promise<ExecResult> {
    const marker = crypto.randomUUID();
    return this.withEnvFile(request.env, async (envArgs) => {
      const child = this.podman(
        ['exec', ...(request.stdin === undefined ? [] : ['-i']), '--env', `${EXEC_MARKER}=${marker}`, ...envArgs,
          ...(request.workdir ? [`--workdir=${request.workdir}`] : []), name, ...request.command],
        { buffer: false, timeout: 0, ...(request.stdin === undefined ? { stdin: 'ignore' } : { input: request.stdin }) },
      );
      let timedOut = false;
      let fallback: NodeJS.Timeout | undefined;
      const kill = () => {
        if (fallback) return;
        void this.podman(['exec', name, 'sh', '-c', KILL_MARKED, 'sh', marker], { timeout: 30_000 });
        fallback = setTimeout(() => child.kill('SIGKILL'), 10_000); // if the image has no sh/grep
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, request.timeoutMs);
      request.signal?.addEventListener('abort', kill, { once: true });
      const [r, out, err] = await Promise.all([
        child,
        capture(child.stdout, this.o.maxOutputBytes),
        capture(child.stderr, this.o.maxOutputBytes),
      ]).finally(() => {
        clearTimeout(timer);
        clearTimeout(fallback);
        request.signal?.removeEventListener('abort', kill);
      });
      const exitCode = timedOut ? 124 : r.exitCode;
      if (exitCode === undefined) throw new Error(`podman exec failed: ${why(r)}`);
      if (!timedOut && notRunning(exitCode, err.text)) throw new NotRunningError(tail(err.text));
      return {
        exit_code: exitCode,
        stdout: out.text,
        stderr: err.text,
        stdout_truncated: out.truncated,
        stderr_truncated: err.truncated,
        timed_out: timedOut,
      };
    });
  }

  async remove(names: string[]): Promise<void> {
    if (names.length === 0) return;
    const r = await this.podman(['rm', '--force', '--ignore', '--time', '0', ...names]);
    if (r.exitCode !== 0) throw new Error(`podman rm failed: ${why(r)}`);
  }

  async states(): Promise<Map<string, ContainerState>> {
    const r = await this.podman(['ps', '--all', '--filter', `label=${SERVER_LABEL}=${this.o.serverId}`, '--format', 'json']);
    if (r.exitCode !== 0) throw new Error(`podman ps failed: ${why(r)}`);
    const rows = JSON.parse(String(r.stdout) || '[]') as { Names: string[]; State: string; ExitCode?: number }[];
    return new Map(
      rows.map((row) => [
        row.Names[0] ?? '',
        { running: row.State === 'running', status: row.State, exitCode: row.State === 'running' ? null : (row.ExitCode ?? null) },
      ]),
    );
  }

  async copyIn(name: string, target: string, data: Buffer): Promise<void> {
    const file = path.join(this.o.workDir, `in-${crypto.randomUUID()}`);
    fs.writeFileSync(file, data, { mode: 0o644 });
    try {
      const r = await this.podman(['cp', file, `${name}:${target}`]);
      if (r.exitCode === 0) return;
      const stderr = String(r.stderr);
      if (missingPath(stderr)) throw new NoSuchFileError(`cannot write ${target}: its directory does not exist`);
      throw new Error(`podman cp failed: ${why(r)}`);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  async copyOut(name: string, source: string): Promise<Buffer> {
    const file = path.join(this.o.workDir, `out-${crypto.randomUUID()}`);
    try {
      const r = await this.podman(['cp', `${name}:${source}`, file]);
      const stderr = String(r.stderr);
      if (r.exitCode !== 0 && missingPath(stderr)) throw new NoSuchFileError(`${source} does not exist`);
      if (r.exitCode !== 0) throw new Error(`podman cp failed: ${why(r)}`);
      if (!fs.lstatSync(file).isFile()) throw new NoSuchFileError(`${source} is not a regular file`);
      return fs.readFileSync(file);
    } finally {
      fs.rmSync(file, { force: true, recursive: true });
    }
  }

  async imageExists(image: string): Promise<boolean> {
    return (await this.podman(['image', 'exists', image])).exitCode === 0;
  }

  private podman(args: string[], options: Options = {}) {
    return execa('podman', [...this.global, ...args], { reject: false, env: this.env, timeout: 120_000, ...options });
  }

  // Runs FN with `--env-file F` arguments for ENV (none when ENV is empty); F is removed afterwards.
  private async withEnvFile<T>(env: Record<string, string> | undefined, fn: (args: string[]) => Promise<T>): Promise<T> {
    const entries = Object.entries(env ?? {});
    if (entries.length === 0) return fn([]);
    const file = path.join(this.o.workDir, `env-${crypto.randomUUID()}`);
    fs.writeFileSync(file, entries.map(([k, v]) => `${k}=${v}\n`).join(''), { mode: 0o600 });
    try {
      return await fn(['--env-file', file]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }
}
