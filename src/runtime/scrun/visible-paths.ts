// Rootless Docker runs its runtime inside rootlesskit's user and mount namespace. There /run (and
// /etc) is a tmpfs of symlinks to the original, mounted at /run/.roNNNN, so dockerd hands the runtime
// real paths like /run/.ro1234/user/1000/docker-exec/... that do not exist outside, and whatever it
// makes in that tmpfs exists only inside. A Slurm job runs outside (slurmstepd: "couldn't chdir to
// /run/.ro..."), so before scrun allocates anything, every path it will hand Slurm is looked up in
// the mount table outside: it must be there, under the same name.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../../errors.js';

// One line of /proc/PID/mountinfo: its id and its parent's, the device, the directory of that file
// system mounted, and where.
export type Mount = { id: string; parent: string; dev: string; root: string; point: string };

// /proc/PID/mountinfo's lines, octal escapes (\040 for a space) decoded, in the kernel's order.
export function parseMountinfo(text: string): Mount[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f.length >= 5)
    .map((f) => ({ id: f[0], parent: f[1], dev: f[2], root: unescape(f[3]), point: unescape(f[4]) }));
}

const within = (p: string, dir: string) => p === dir || p.startsWith(dir === '/' ? '/' : `${dir}/`);

// The mount P (absolute, symlinks resolved) is on: the deepest mount point above it, and of mounts
// stacked on that point the top one (the one no other is mounted on).
function mountOf(p: string, mounts: Mount[]): Mount | undefined {
  const above = mounts.filter((m) => within(p, m.point));
  const deepest = Math.max(...above.map((m) => m.point.length));
  const stack = above.filter((m) => m.point.length === deepest);
  return stack.find((m) => !stack.some((o) => o.parent === m.id)) ?? stack.at(-1);
}

// Where P of the INNER mount table is found in the OUTER one (the same file system, the same
// directory in it, not hidden by another mount), or undefined when only the inner one has it.
export function outsidePath(p: string, inner: Mount[], outer: Mount[]): string | undefined {
  const mount = mountOf(p, inner);
  if (!mount) return undefined;
  const inFs = path.join(mount.root, path.relative(mount.point, p));
  const seen = outer
    .filter((o) => o.dev === mount.dev && within(inFs, o.root))
    .map((o) => ({ o, at: path.join(o.point, path.relative(o.root, inFs)) }))
    .filter(({ o, at }) => mountOf(at, outer) === o)
    .map(({ at }) => at);
  return seen.includes(p) ? p : seen[0];
}

// The facts the check reads, behind a seam for the unit tests.
export type Io = { env: NodeJS.ProcessEnv; read(file: string): string | undefined; realpath(p: string): string };

export const realIo: Io = {
  env: process.env,
  read: (file) => {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  },
  realpath: (p) => fs.realpathSync(p),
};

// The mount table outside rootlesskit (its parent process's), or undefined when this process does
// not run under rootlesskit. rootlesskit sets ROOTLESSKIT_STATE_DIR for everything it starts and
// keeps its child's pid there; the child's parent is rootlesskit itself, in the namespace we left.
// Reading another process's mountinfo needs no ptrace right (its /proc/PID/root would).
export function outsideMounts(io: Io = realIo): Mount[] | undefined {
  const stateDir = io.env.ROOTLESSKIT_STATE_DIR;
  if (!stateDir) return undefined;
  const child = io.read(path.join(stateDir, 'child_pid'))?.trim();
  const stat = child && /^\d+$/.test(child) ? io.read(`/proc/${child}/stat`) : undefined;
  const parent = stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
  const text = parent && io.read(`/proc/${parent}/mountinfo`);
  if (!text) {
    throw new CliError(
      `running under rootlesskit (ROOTLESSKIT_STATE_DIR=${stateDir}) but its parent process's mount table cannot be read, so it is unknown whether the Slurm job can see the container's files`,
      1,
      'restart dockerd-rootless.sh; if this persists, run the container with --backend crun',
    );
  }
  return parseMountinfo(text);
}

// Fails with one line when a path of RECORD that scrun hands Slurm (the bundle, the rootfs, the
// sources of bind mounts in config.json) does not exist outside rootlesskit under the same name.
// Does nothing (one getenv) outside rootlesskit.
export function assertVisibleToSlurm(record: { bundle: string; rootfs: string }, io: Io = realIo): void {
  const outer = outsideMounts(io);
  if (!outer) return;
  const inner = parseMountinfo(io.read('/proc/self/mountinfo') ?? '');
  const config = JSON.parse(io.read(path.join(record.bundle, 'config.json')) ?? '{}') as {
    mounts?: { source?: string; type?: string; options?: string[] }[];
  };
  const binds = (config.mounts ?? []).filter(
    (m) => m.source?.startsWith('/') && (m.type === 'bind' || m.options?.some((o) => /^r?bind$/.test(o))),
  );
  const paths: [string, string][] = [
    ['bundle', record.bundle],
    ['rootfs', record.rootfs],
    ...binds.map((m): [string, string] => ['bind mount source', m.source!]),
  ];
  for (const [what, given] of paths) {
    let p: string;
    try {
      p = io.realpath(given);
    } catch {
      continue; // a missing bind source is crun's error to give, the same inside and out
    }
    const outside = outsidePath(p, inner, outer);
    if (outside === p) continue;
    throw new CliError(
      outside
        ? `the ${what} ${p} exists only inside rootless Docker's mount namespace (outside it is ${outside}): the Slurm job runs outside and could not reach it`
        : `the ${what} ${p} is on a mount only rootless Docker's mount namespace has (rootlesskit's private /run or /etc, or a mount dockerd made): the Slurm job runs outside and could not see it`,
      1,
      'give dockerd an exec-root and data-root outside /run (`slurm-oci generate docker-daemon --config-dir ~/.config --force` writes them) and restart it',
    );
  }
}
