// The runtime's own state: one directory per container under <root>/containers/<id>, holding the
// record `create` wrote (which backend, which binaries, which bundle), so that every later call
// works from the record alone: Podman runs kill/delete with no PATH and no runtime flags but --root.
// The record names programs we run, so the store trusts only what we could have written: a root
// owned by us that no one else can write (XDG_RUNTIME_DIR is sometimes shared or world-writable
// without systemd), and records owned by us.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';

export type BackendName = 'scrun' | 'crun' | 'runc';

export type ContainerRecord = {
  id: string;
  backend: BackendName;
  // Absolute path of the backend binary, resolved at create.
  binary: string;
  // The backend's own --root (crun/runc state, scrun sockets).
  backendRoot: string;
  bundle: string;
  // local backends: the rootless rewrite of the bundle that runs instead (see rootlessShadow)
  runBundle?: string;
  rootfs: string;
  ociVersion: string;
  annotations: Record<string, string>;
  created: string;
  // scrun only: absolute paths of the Slurm commands the supervisor and cleanup use.
  slurm?: { squeue: string; scontrol: string; scancel: string };
};

const ID = /^[\w+.][\w+.-]*$/;
// A file name's limit (NAME_MAX): the id is one under containers/ and in crun's and runc's roots.
const MAX_ID = 255;

// A short stable name for ID (FNV-1a, 64 bits, hex): node:crypto would add ~15 ms to every start.
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

// runc's "container does not exist" (delete --force succeeds on it).
export class NoSuchContainer extends CliError {
  constructor(id: string) {
    super(`container ${id} does not exist`, 1);
  }
}

// Where state lives when --root is not given: $XDG_RUNTIME_DIR/slurm-oci for a user (also inside
// Podman's rootless user namespace, where we look like uid 0), /run/slurm-oci for real root.
export function defaultRoot(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_RUNTIME_DIR;
  const realRoot = process.getuid?.() === 0 && !inUserNamespace();
  if (realRoot || !xdg) {
    if (process.getuid?.() === 0) return '/run/slurm-oci';
    throw new CliError('no state directory: XDG_RUNTIME_DIR is not set', 1, 'set XDG_RUNTIME_DIR or pass --root DIR');
  }
  return path.join(xdg, 'slurm-oci');
}

function inUserNamespace(): boolean {
  try {
    return !/^\s*0\s+0\s+4294967295\s*$/.test(fs.readFileSync('/proc/self/uid_map', 'utf8'));
  } catch {
    return false;
  }
}

// Why FILE (already lstat'ed as ST) must not be trusted, or undefined: it is ours and only we can write it.
export function distrust(file: string, st: fs.Stats, uid = process.geteuid?.() ?? 0): string | undefined {
  if (st.isSymbolicLink()) return `${file} is a symbolic link`;
  if (st.uid !== uid) return `${file} belongs to uid ${st.uid}, not to us (uid ${uid})`;
  if (st.mode & 0o022) return `${file} can be written by other users (mode ${(st.mode & 0o777).toString(8)})`;
  return undefined;
}

// The runtime's root directory and the operations on its container records.
export class Store {
  private trusted = false;

  constructor(readonly root: string) {}

  // Throws unless the root (when it exists) is ours alone; CREATE makes it (0700) first.
  private checkRoot(create: boolean): boolean {
    if (this.trusted) return true;
    if (create) fs.mkdirSync(this.root, { recursive: true, mode: 0o700 });
    let st: fs.Stats;
    try {
      st = fs.lstatSync(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const why = distrust(this.root, st);
    if (why) {
      throw new CliError(
        `refusing the state directory: ${why}`,
        1,
        'another user could plant containers there; give a directory of your own with --root, or fix its owner and mode (0700)',
      );
    }
    this.trusted = true;
    return true;
  }

  // A container's directory (records, supervisor files, logs).
  dir(id: string): string {
    if (!ID.test(id)) {
      throw new CliError(
        `invalid container id "${id}"`,
        1,
        'ids may contain letters, digits, _ + - and ., and may not start with -',
      );
    }
    if (Buffer.byteLength(id) > MAX_ID)
      throw new CliError(`container id is too long (${Buffer.byteLength(id)} bytes, at most ${MAX_ID})`, 1);
    return path.join(this.root, 'containers', id);
  }

  // A backend's own state root, kept beside ours. scrun gets one per container, named by a short
  // hash: its anchor socket lives there and must fit a unix socket path (108 bytes).
  backendRoot(backend: BackendName, id: string): string {
    if (backend !== 'scrun') return path.join(this.root, 'backends', backend);
    return path.join(this.root, 'scrun', fnv1a64(id));
  }

  // Claims ID for a new container (fails if it exists), with a 0700 directory.
  claim(id: string): string {
    const dir = this.dir(id);
    this.checkRoot(true);
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        throw new CliError(`container with id ${id} already exists`, 1, 'pick another id, or delete the old one');
      }
      if (code === 'ENAMETOOLONG')
        throw new CliError(`container id ${id.slice(0, 40)}… is too long for a path under ${this.root}`, 1);
      throw error;
    }
    return dir;
  }

  // Saves the record written at create (atomically: a reader never sees half of it).
  save(record: ContainerRecord): void {
    writeFileAtomic(path.join(this.dir(record.id), 'record.json'), JSON.stringify(record), 0o600);
  }

  // The record of ID, or runc's "container does not exist" error; refused when we did not write it.
  load(id: string): ContainerRecord {
    const file = path.join(this.dir(id), 'record.json');
    if (!this.checkRoot(false)) throw new NoSuchContainer(id);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NoSuchContainer(id);
      throw error;
    }
    const why = distrust(file, st);
    if (why)
      throw new CliError(
        `refusing the record of container ${id}: ${why}`,
        1,
        'it was not written by this runtime; remove it',
      );
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ContainerRecord;
  }

  // Forgets ID (its directory and everything in it).
  remove(id: string): void {
    fs.rmSync(this.dir(id), { recursive: true, force: true });
  }

  // Ids of every container with a record.
  ids(): string[] {
    if (!this.checkRoot(false)) return [];
    try {
      return fs
        .readdirSync(path.join(this.root, 'containers'))
        .filter((id) => fs.existsSync(path.join(this.root, 'containers', id, 'record.json')));
    } catch {
      return [];
    }
  }
}
