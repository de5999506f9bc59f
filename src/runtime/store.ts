// The runtime's own state: one directory per container under <root>/containers/<id>, holding the
// record `create` wrote (which backend, which binaries, which bundle), so that every later call
// works from the record alone: Podman runs kill/delete with no PATH and no runtime flags but --root.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';

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

const ID = /^[\w+.-]+$/;

// A short stable name for ID (FNV-1a, 64 bits, hex): node:crypto would add ~15 ms to every start.
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

// Where state lives when --root is not given: $XDG_RUNTIME_DIR/slurm-oci for a user (also inside
// Podman's rootless user namespace, where we look like uid 0), /run/slurm-oci for real root.
export function defaultRoot(): string {
  const xdg = process.env.XDG_RUNTIME_DIR;
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

// The runtime's root directory and the operations on its container records.
export class Store {
  constructor(readonly root: string) {}

  // A container's directory (records, supervisor files, logs).
  dir(id: string): string {
    if (!ID.test(id) || id === '.' || id === '..') {
      throw new CliError(`invalid container id "${id}"`, 1, 'ids may contain letters, digits, _ + - and .');
    }
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
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new CliError(`container with id ${id} already exists`, 1, 'pick another id, or delete the old one');
      }
      throw error;
    }
    return dir;
  }

  // Saves the record written at create.
  save(record: ContainerRecord): void {
    fs.writeFileSync(path.join(this.dir(record.id), 'record.json'), JSON.stringify(record));
  }

  // The record of ID, or runc's "container does not exist" error.
  load(id: string): ContainerRecord {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.dir(id), 'record.json'), 'utf8')) as ContainerRecord;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new CliError(`container ${id} does not exist`, 1);
      throw error;
    }
  }

  // Forgets ID (its directory and everything in it).
  remove(id: string): void {
    fs.rmSync(this.dir(id), { recursive: true, force: true });
  }

  // Ids of every container with a record.
  ids(): string[] {
    try {
      return fs.readdirSync(path.join(this.root, 'containers')).filter((id) =>
        fs.existsSync(path.join(this.root, 'containers', id, 'record.json')),
      );
    } catch {
      return [];
    }
  }
}
