// The OCI state object exactly as runc prints it: its key order, 2-space indent, no trailing newline.
// `creating` is never reported (Podman ≤5.2 rejects it): a container being created reads as created.
import { CliError } from '../errors.js';

export type Status = 'created' | 'running' | 'stopped' | 'paused';

export type OciState = {
  ociVersion: string;
  id: string;
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
};

// Maps any status a backend reports onto the four Podman accepts.
export function normalizeStatus(status: unknown): Status {
  if (status === 'running' || status === 'paused' || status === 'stopped') return status;
  if (status === 'created' || status === 'creating') return 'created';
  return 'stopped';
}

// runc's rendering of a state object.
export function formatState(s: OciState): string {
  const { annotations, ...rest } = s;
  const ordered = {
    ociVersion: rest.ociVersion,
    id: rest.id,
    pid: rest.status === 'stopped' ? 0 : rest.pid,
    status: rest.status,
    bundle: rest.bundle,
    rootfs: rest.rootfs,
    created: rest.created,
    owner: rest.owner,
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
  return JSON.stringify(ordered, null, 2);
}

// runc's refusal to start a container in STATUS, or undefined when it may start.
export function startRefusal(status: Status): CliError | undefined {
  if (status === 'running' || status === 'paused') return new CliError('cannot start an already running container', 1);
  if (status === 'stopped') return new CliError('cannot start a container that has stopped', 1);
  return undefined;
}
