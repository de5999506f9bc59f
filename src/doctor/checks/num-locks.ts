// Every Podman container and volume holds a lock; when containers that failed under Slurm leak
// them, `podman run` stops with "exceeded num_locks (2048)" (the containers page's troubleshooting).
import { fail, ok, skip, warn, type Check, type Finding } from '../check.js';

const fix =
  '`podman container prune` then `podman system renumber`; or raise num_locks in [engine] of containers.conf, then `podman system renumber`';

// Judges the number of free locks (undefined: this Podman does not report it).
export function judgeLocks(free: number | undefined): Finding {
  if (free === undefined) return skip('podman does not report its free locks');
  if (free === 0) return fail('no free Podman locks: new containers fail with "exceeded num_locks"', fix);
  if (free < 128) return warn(`only ${free} free Podman locks`, fix);
  return ok(`${free} free Podman locks`);
}

export default {
  name: 'num-locks',
  run: async (host) => {
    const info = (await host.podmanInfo())?.info;
    return info ? judgeLocks(info.host.freeLocks) : skip('no podman to ask (see the podman check)');
  },
} satisfies Check;
