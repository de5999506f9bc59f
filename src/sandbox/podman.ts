// The container driver: rootless Podman as the user running the server, one `podman run -d` per
// sandbox and `podman exec` for sandboxes without an agent. Every sandbox gets its own PID, IPC and
// UTS namespaces whatever containers.conf says (the containers.conf Slurm's page recommends for
// scrun shares the host's: an agent could see and signal the user's processes, and Podman could not
// stop the container). Environment values go through a 0600 --env-file, never argv (secrets).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { execa, type Options } from 'execa';
import tar from 'tar-stream';
import { capture } from './capture.js';
import {
  NoSuchFileError,
  NotRunningError,
  type ContainerState,
  type Driver,
  type ExecRequest,
  type ExecResult,
  type FileOut,
  type ImageInfo,
  type Leftover,
  type RunSpec,
} from './driver.js';

// The label that marks a container as started by one server (value: the server's id).
export const SERVER_LABEL = 'io.slurm-oci.sandbox-server';
// Every exec'd process carries this variable (a fresh value per call), so a timeout can find and
// kill exactly that command's processes inside the container: killing `podman exec` leaves them running.
const EXEC_MARKER = 'SLURM_OCI_EXEC_ID';
const KILL_MARKED =
  'for e in /proc/[0-9]*/environ; do if grep -q "$1" "$e" 2>/dev/null; then p=${e#/proc/}; kill -9 "${p%/environ}" 2>/dev/null; fi; done; true';
// Namespaces of their own, over whatever containers.conf says; k8s-file logs, so `podman logs` works
// without journald.
const ISOLATION = ['--pid', 'private', '--ipc', 'private', '--uts', 'private', '--log-driver', 'k8s-file'];

// How to drive Podman for one server.
export type PodmanOptions = {
  serverId: string;
  // Passed as `podman --runtime` (absent: Podman's configured runtime).
  runtime?: string;
  // slurm-oci-runtime's backend, passed as `--runtime-flag backend=X` and SLURM_OCI_BACKEND.
  backend?: string;
  // A private (0700) directory for env files.
  workDir: string;
  maxOutputBytes: number;
};

const tail = (text: string) => text.trim().split('\n').slice(-3).join(' / ');
// What went wrong with a podman call: its own last words, or why it could not run at all (never
// the command line, which holds the agent's whole script).
const why = (r: { stderr?: unknown; code?: string; originalMessage?: string; timedOut?: boolean }) =>
  tail(String(r.stderr ?? '')) ||
  (r.code === 'ENOENT'
    ? 'podman is not installed here (not found on PATH)'
    : r.timedOut
      ? 'podman did not answer in time'
      : (r.originalMessage ?? 'unknown error'));
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
    const args = [
      'run',
      '-d',
      '--name',
      name,
      '--label',
      `${SERVER_LABEL}=${this.o.serverId}`,
      ...ISOLATION,
      '--hostname',
      name.slice(-12),
      ...(spec.hostNetwork ? ['--network', 'host'] : (spec.publish ?? []).flatMap((p) => ['-p', `${p}:${p}`])),
      ...(spec.cpus ? ['--cpus', String(spec.cpus)] : []),
      ...(spec.memoryBytes ? ['--memory', String(spec.memoryBytes)] : []),
      ...(spec.mounts ?? []).flatMap((m) => [
        '--mount',
        `type=bind,source=${m.host},destination=${m.container}${m.readonly ? ',ro' : ''}`,
      ]),
      ...(spec.workdir ? [`--workdir=${spec.workdir}`] : []),
    ];
    const r = await this.withEnvFile(
      spec.env,
      (envArgs) => this.podman([...args, ...envArgs, spec.image, ...spec.command], { timeout: 900_000 }), // a first start may pull
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
        [
          'exec',
          ...(request.stdin === undefined ? [] : ['-i']),
          '--env',
          `${EXEC_MARKER}=${marker}`,
          ...envArgs,
          ...(request.workdir ? [`--workdir=${request.workdir}`] : []),
          name,
          ...request.command,
        ],
        {
          buffer: false,
          timeout: 0,
          ...(request.stdin === undefined ? { stdin: 'ignore' } : { input: request.stdin }),
        },
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

  async stop(name: string): Promise<void> {
    // A PID 1 that ignores SIGTERM (a shell, busybox httpd) costs the whole grace time.
    const r = await this.podman(['stop', '--time', '3', name]);
    if (r.exitCode !== 0) throw new Error(`podman stop failed: ${why(r)}`);
  }

  async start(name: string): Promise<void> {
    const r = await this.podman(['start', name]);
    if (r.exitCode !== 0) throw new Error(`podman start failed: ${why(r)}`);
  }

  // rm --force first; what survives gets the runtime's KILL, then another rm.
  async remove(names: string[]): Promise<Leftover[]> {
    if (names.length === 0) return [];
    const first = await this.podman(['rm', '--force', '--ignore', '--time', '0', ...names]);
    if (first.exitCode === 0) return [];
    const left: Leftover[] = [];
    for (const name of names) {
      await this.podman(['kill', '--signal', 'KILL', name]);
      const again = await this.podman(['rm', '--force', '--ignore', '--time', '0', name]);
      if (again.exitCode !== 0) left.push({ name, reason: why(again) });
    }
    return left;
  }

  async logs(name: string, lines: number): Promise<string> {
    const r = await this.podman(['logs', '--tail', String(lines), name]);
    return `${String(r.stdout)}${String(r.stderr)}`.trim();
  }

  async states(): Promise<Map<string, ContainerState>> {
    const r = await this.podman([
      'ps',
      '--all',
      '--filter',
      `label=${SERVER_LABEL}=${this.o.serverId}`,
      '--format',
      'json',
    ]);
    if (r.exitCode !== 0) throw new Error(`podman ps failed: ${why(r)}`);
    const rows = JSON.parse(String(r.stdout) || '[]') as { Names: string[]; State: string; ExitCode?: number }[];
    return new Map(
      rows.map((row) => [
        row.Names[0] ?? '',
        {
          running: row.State === 'running',
          status: row.State,
          exitCode: row.State === 'running' ? null : (row.ExitCode ?? null),
        },
      ]),
    );
  }

  // A one-file tar on podman cp's stdin: no temporary copy on the host.
  async copyIn(name: string, target: string, data: Buffer): Promise<void> {
    const pack = tar.pack();
    pack.entry({ name: path.posix.basename(target), size: data.length, mode: 0o644 }, data);
    pack.finalize();
    const r = await this.podman(['cp', '-', `${name}:${path.posix.dirname(target)}`], { input: Readable.from(pack) });
    if (r.exitCode === 0) return;
    if (missingPath(String(r.stderr)))
      throw new NoSuchFileError(`cannot write ${target}: its directory does not exist`);
    throw new Error(`podman cp failed: ${why(r)}`);
  }

  // podman cp's tar on stdout, read entry by entry: the size is known before a byte is sent, and
  // nothing is staged on the host.
  copyOut(name: string, source: string): Promise<FileOut> {
    const child = this.podman(['cp', `${name}:${source}`, '-'], {
      buffer: false,
      timeout: 0,
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const stderr = capture(child.stderr, 4096);
    const extract = tar.extract();
    child.stdout?.pipe(extract);
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = async (fallback: Error) => {
        if (settled) return;
        settled = true;
        child.kill();
        const r = await child;
        const text = (await stderr).text;
        reject(
          missingPath(text)
            ? new NoSuchFileError(`${source} does not exist`)
            : r.exitCode
              ? new Error(`podman cp failed: ${tail(text)}`)
              : fallback,
        );
      };
      extract.on('entry', (header, stream, next) => {
        if (settled) return stream.resume();
        if (header.type !== 'file') return void fail(new NoSuchFileError(`${source} is not a regular file`));
        settled = true;
        const data = new PassThrough();
        // streamx's pipe reports a reader that went away (a 413, a client that hung up) to its
        // callback; without one it would be an uncaught error.
        stream.pipe(data, () => child.kill());
        data.on('close', () => child.kill());
        resolve({ size: header.size ?? 0, data });
        next();
      });
      extract.on('error', (error) => void fail(error));
      extract.on('finish', () => void fail(new NoSuchFileError(`${source} does not exist`)));
      void child.then((r) => {
        if (r.exitCode !== 0) void fail(new Error('podman cp failed'));
      });
    });
  }

  async imageInfo(image: string): Promise<ImageInfo | undefined> {
    const r = await this.podman(['image', 'inspect', '--format', 'json', image]);
    if (r.exitCode !== 0) return undefined;
    const [info] = JSON.parse(String(r.stdout) || '[]') as { Created?: string; Size?: number }[];
    return { created: info?.Created ?? '', size: info?.Size ?? 0 };
  }

  async build(dir: string, tags: string[]): Promise<{ ok: boolean; log: string }> {
    const r = await this.podman(['build', '--network', 'host', ...tags.flatMap((t) => ['-t', t]), dir], {
      timeout: 3_600_000,
      all: true,
    });
    return {
      ok: r.exitCode === 0,
      log: String(r.all ?? '')
        .trim()
        .split('\n')
        .slice(-20)
        .join('\n'),
    };
  }

  private podman(args: string[], options: Options = {}) {
    return execa('podman', [...this.global, ...args], { reject: false, env: this.env, timeout: 120_000, ...options });
  }

  // Runs FN with `--env-file F` arguments for ENV (none when ENV is empty); F is removed afterwards.
  private async withEnvFile<T>(
    env: Record<string, string> | undefined,
    fn: (args: string[]) => Promise<T>,
  ): Promise<T> {
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
