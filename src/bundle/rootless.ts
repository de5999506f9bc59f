// The rootless rewrite of an OCI config.json in TypeScript: `slurm-oci bundle rootless`, `bundle
// create --rootless` and the runtime's local backend use it, so a bundle runs the same on a laptop
// as under scrun (whose scrun.lua applies the same steps, see rootless-steps.ts).
import { rootlessSteps, stepEnabled, type RootlessOptions, type StepName } from './rootless-steps.js';
import { resolveRootlessOptions } from './rootless-options.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export type RewriteOptions = Partial<RootlessOptions> & {
  // The job user's ids on the host: the container's user maps onto them.
  uid: number;
  gid: number;
  // "K=V" strings merged into process.env by mergeJobEnv.
  env?: readonly string[];
  // Where root.path should point after staging (absolute); unchanged when absent.
  rootPath?: string;
};

// A bind mount the copy step removed: its source must be copied to DESTINATION inside the rootfs.
export type BindCopy = { source: string; destination: string };

type Context = { options: RewriteOptions; copies: BindCopy[] };

// Bind mounts from or onto /proc, /sys and /dev stay mounts: copies there make no sense (and /dev is a tmpfs).
const kernelPath = (p: string) => /^\/(proc|sys|dev)(\/|$)/.test(p);

// Each step edits CONFIG in place and says what it changed (nothing when it did not apply).
const steps: Record<StepName, (config: Obj, ctx: Context) => string[]> = {
  forceUserNamespace: (config) => {
    if (!isObj(config.linux)) return [];
    const namespaces = list(config.linux.namespaces);
    if (namespaces.some((ns) => isObj(ns) && ns.type === 'user')) return [];
    config.linux.namespaces = [...namespaces, { type: 'user' }];
    return ['add a user namespace'];
  },
  mapIds: (config, { options }) => {
    if (!isObj(config.linux)) return [];
    const user = isObj(config.process) && isObj(config.process.user) ? config.process.user : {};
    const uid = typeof user.uid === 'number' ? user.uid : 0;
    const gid = typeof user.gid === 'number' ? user.gid : 0;
    const uidMappings = [{ containerID: uid, hostID: options.uid, size: 1 }];
    const gidMappings = [{ containerID: gid, hostID: options.gid, size: 1 }];
    const same =
      JSON.stringify([config.linux.uidMappings, config.linux.gidMappings]) ===
      JSON.stringify([uidMappings, gidMappings]);
    Object.assign(config.linux, { uidMappings, gidMappings });
    return same ? [] : [`map container uid ${uid} to ${options.uid} and gid ${gid} to ${options.gid}`];
  },
  dropAdditionalGids: (config) => {
    if (!isObj(config.process) || !isObj(config.process.user) || !('additionalGids' in config.process.user)) return [];
    delete config.process.user.additionalGids;
    return ['remove process.user.additionalGids'];
  },
  dropCgroupsPath: (config) => {
    if (!isObj(config.linux) || !('cgroupsPath' in config.linux)) return [];
    delete config.linux.cgroupsPath;
    return ['remove linux.cgroupsPath'];
  },
  dropMountIdOptions: (config) =>
    list(config.mounts).flatMap((mount) => {
      if (!isObj(mount) || !Array.isArray(mount.options)) return [];
      const kept = mount.options.filter((o) => typeof o !== 'string' || !/^[ug]id=/.test(o));
      if (kept.length === mount.options.length) return [];
      if (kept.length) mount.options = kept;
      else delete mount.options;
      return [`remove uid=/gid= options of the mount on ${String(mount.destination)}`];
    }),
  bindMounts: (config, { copies }) => {
    if (!Array.isArray(config.mounts)) return [];
    const changes: string[] = [];
    config.mounts = config.mounts.filter((mount) => {
      if (!isObj(mount) || mount.type !== 'bind' || typeof mount.source !== 'string') return true;
      if (typeof mount.destination !== 'string' || kernelPath(mount.source) || kernelPath(mount.destination))
        return true;
      copies.push({ source: mount.source, destination: mount.destination });
      changes.push(`copy ${mount.source} into the rootfs at ${mount.destination} instead of bind-mounting it`);
      return false;
    });
    return changes;
  },
  mergeJobEnv: (config, { options }) => {
    if (!isObj(config.process) || !options.env?.length) return [];
    const env = list(config.process.env);
    const names = new Set(env.map((e) => String(e).split('=')[0]));
    const added = options.env.filter((e) => {
      const name = e.split('=')[0];
      if (names.has(name)) return false;
      names.add(name);
      return true;
    });
    if (!added.length) return [];
    config.process.env = [...env, ...added];
    return [`add ${added.length} job environment variable(s)`];
  },
  dropPrestartHooks: (config) => {
    if (!isObj(config.hooks) || !('prestart' in config.hooks)) return [];
    delete config.hooks.prestart;
    return ['remove hooks.prestart'];
  },
  dropRlimits: (config) => {
    if (!isObj(config.process) || !('rlimits' in config.process)) return [];
    delete config.process.rlimits;
    return ['remove process.rlimits'];
  },
};

// Rewrites CONFIG for a rootless runtime run by uid/gid: pure (CONFIG is not modified, nothing is
// read or written); returns the new config, one line per change, and the bind sources to copy.
export function rootlessRewrite(
  config: object,
  options: RewriteOptions,
): { config: object; changes: string[]; copies: BindCopy[] } {
  const { uid, gid, env, rootPath, ...stepOptions } = options;
  const resolved = resolveRootlessOptions(stepOptions);
  const out = structuredClone(config) as Obj;
  const ctx: Context = { options: { ...resolved, uid, gid, env, rootPath }, copies: [] };
  const changes = rootlessSteps
    .filter((step) => stepEnabled(resolved, step.name))
    .flatMap((step) => steps[step.name](out, ctx));
  if (rootPath !== undefined && isObj(out.root) && out.root.path !== rootPath) {
    out.root.path = rootPath;
    changes.push(`point root.path at ${rootPath}`);
  }
  return { config: out, changes, copies: ctx.copies };
}
