// Podman must be installed, rootless, and set up to run containers through Slurm (runtime `slurm`).
import { fail, ok, skip, warn, type Check, type Finding } from '../check.js';
import type { PodmanInfo } from '../host.js';

const confFix = 'slurm-oci generate containers-conf -o ~/.config/containers/containers.conf';

// The message of a logrus line (`time=... level=error msg="..."`), or the line itself.
const message = (line = ''): string => {
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
  return m ? m[1].replace(/\\(.)/g, '$1') : line;
};

// Judges `podman info` (or its error) for a user with uid UID.
export function judgePodman(result: { info?: PodmanInfo; error?: string } | undefined, uid: number): Finding {
  if (!result) return skip('podman is not installed');
  const { info } = result;
  const error = message(result.error);
  // Switching an existing store to the vfs driver (as storage-conf does) trips Podman's database.
  const clash = /graph driver "(\w+)" overwritten by graph driver "(\w+)"/.exec(error);
  if (!info && clash) {
    return fail(
      `the store was made with the ${clash[2]} driver and storage.conf now asks for ${clash[1]}: podman stops`,
      `podman --storage-driver ${clash[2]} --storage-opt "" system reset --force (deletes that store's images and containers); then podman uses ${clash[1]}`,
    );
  }
  if (!info)
    return fail(
      `podman info failed: ${error}`,
      'run `podman info` to see the whole error; after changing storage.conf, `podman system reset` clears the old store',
    );
  const runtime = info.host.ociRuntime ?? {};
  const about = `podman ${info.version?.Version ?? '?'}, runtime ${runtime.name ?? '?'} (${runtime.path ?? '?'})`;
  if (!info.host.security?.rootless) {
    return uid === 0
      ? warn(
          `${about}, running as root`,
          'run doctor as the user who runs containers: rootless Podman is what Slurm supports',
        )
      : fail(`${about}, not rootless`, 'unset CONTAINER_HOST and any sudo wrapper: Slurm runs only rootless Podman');
  }
  if (runtime.name !== 'slurm') return warn(`${about}: containers run on this host, not as Slurm jobs`, confFix);
  return ok(`${about}, rootless`);
}

export default {
  name: 'podman',
  run: async (host) => judgePodman(await host.podmanInfo(), host.user.uid),
} satisfies Check;
