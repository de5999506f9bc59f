// The node as doctor sees it: who runs it, files, commands run with a time limit (killed when it
// passes, so doctor never hangs on a stuck NFS mount or munged), and facts several checks share
// (`podman info`, the Slurm version), each gathered once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { fsKindOfMagic, type FsType } from '../host-config/fs-type.js';
import { which } from '../util/which.js';

export type RunResult = { exitCode: number; stdout: string; stderr: string; timedOut: boolean };

// The subset of `podman info --format json` the checks read.
export type PodmanInfo = {
  host: {
    security?: { rootless?: boolean };
    ociRuntime?: { name?: string; path?: string };
    freeLocks?: number;
    cgroupVersion?: string;
  };
  store: { graphRoot?: string; graphDriverName?: string };
  version?: { Version?: string };
};

export class Host {
  readonly user = os.userInfo();
  private memo = new Map<string, Promise<unknown>>();

  constructor(
    readonly timeoutMs: number,
    readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  // The file's text, or undefined when it cannot be read.
  read(file: string): string | undefined {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  // The full path of an executable (PATH, then the system directories), or undefined.
  which(name: string): string | undefined {
    return which(name);
  }

  // Runs FILE ARGS (no shell) with the time limit; a failure is data, not an exception. The command
  // runs in its own process group, all of which is killed at the limit: a helper it started (podman's
  // conmon, a munge client) would otherwise hold the output pipes open and keep doctor waiting.
  async run(file: string, args: string[], input?: string): Promise<RunResult> {
    const child = execa(file, args, {
      reject: false,
      detached: true,
      env: this.env,
      extendEnv: false,
      ...(input === undefined ? { stdin: 'ignore' as const } : { input }),
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      // a process stuck in the kernel (a hung NFS mount) dies only when its I/O ends: stop waiting
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        child.unref();
      }, 1000).unref();
    }, this.timeoutMs);
    try {
      const r = await child;
      return {
        exitCode: r.exitCode ?? -1,
        stdout: String(r.stdout ?? ''),
        stderr: String(r.stderr || r.message),
        timedOut,
      };
    } finally {
      clearTimeout(timer);
    }
  }

  // The filesystem of DIR (or its nearest existing parent), through `stat -f`: a hung mount
  // blocks a killable process, not this one.
  async fsType(dir: string): Promise<FsType | undefined> {
    let checked = path.resolve(dir);
    while (!fs.existsSync(checked) && path.dirname(checked) !== checked) checked = path.dirname(checked);
    const r = await this.run('stat', ['-f', '-c', '%t', checked]);
    return r.exitCode === 0 ? { checked, ...fsKindOfMagic(parseInt(r.stdout.trim(), 16)) } : undefined;
  }

  // `podman info` parsed, or the error it gave; undefined when podman is not installed.
  podmanInfo(): Promise<{ info?: PodmanInfo; error?: string } | undefined> {
    return this.once('podman', async () => {
      const podman = this.which('podman');
      if (!podman) return undefined;
      const r = await this.run(podman, ['info', '--format', 'json']);
      if (r.exitCode !== 0)
        return { error: r.timedOut ? `podman info did not answer in ${this.timeoutMs / 1000} s` : firstLine(r.stderr) };
      return { info: JSON.parse(r.stdout) as PodmanInfo };
    });
  }

  // The Slurm version ("24.11.5") from scontrol or sinfo, or undefined when neither answers.
  slurmVersion(): Promise<string | undefined> {
    return this.once('slurm', async () => {
      for (const command of ['scontrol', 'sinfo']) {
        const file = this.which(command);
        if (!file) continue;
        const m = /slurm[- ]?(?:wlm )?(\d+\.\d+(?:\.\d+)?)/i.exec((await this.run(file, ['--version'])).stdout);
        if (m) return m[1];
      }
      return undefined;
    });
  }

  // Where Slurm's config files are: $SLURM_CONF's directory, /etc/slurm, or the configless cache.
  slurmConfDirs(): string[] {
    const conf = this.env.SLURM_CONF;
    return [...(conf ? [path.dirname(conf)] : []), '/etc/slurm', '/run/slurm/conf'];
  }

  private once<T>(key: string, gather: () => Promise<T>): Promise<T> {
    if (!this.memo.has(key)) this.memo.set(key, gather());
    return this.memo.get(key) as Promise<T>;
  }
}

// The first non-empty line of a command's error output.
export const firstLine = (text: string): string =>
  text
    .split('\n')
    .find((l) => l.trim())
    ?.trim() ?? '(no output)';
