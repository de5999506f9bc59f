// Rootless Podman maps the image's users onto the user's subordinate ids (/etc/subuid, /etc/subgid,
// or LDAP/SSSD through getsubids); without a range images with more than one user fail to unpack.
import { fail, ok, skip, warn, type Check, type Finding } from '../check.js';

export type Range = { start: number; count: number };

// The ranges of USER (by name or uid) in a subuid/subgid file's text.
export function rangesIn(text: string, user: string, uid: number): Range[] {
  return text
    .split('\n')
    .map((line) => line.trim().split(':'))
    .filter((f) => f.length === 3 && (f[0] === user || f[0] === String(uid)))
    .map(([, start, count]) => ({ start: Number(start), count: Number(count) }))
    .filter((r) => Number.isInteger(r.start) && r.count > 0);
}

// The first free start at or above 100000 after every range in TEXT, for the suggested fix.
export const freeStart = (text: string): number =>
  text.split('\n').reduce((max, line) => {
    const [, start, count] = line.split(':').map(Number);
    return Number.isFinite(start + count) ? Math.max(max, start + count) : max;
  }, 100000);

// Judges the user's subordinate uid and gid counts (65536 covers every uid an image normally uses).
export function judgeSubids(user: string, uids: Range[], gids: Range[], start: number): Finding {
  const count = (rs: Range[]) => rs.reduce((n, r) => n + r.count, 0);
  const [nu, ng] = [count(uids), count(gids)];
  const range = `${start}-${start + 65535}`;
  const fix = `sudo usermod --add-subuids ${range} --add-subgids ${range} ${user} (or add them to your LDAP/SSSD subid source)`;
  if (!nu || !ng)
    return fail(`${user} has no subordinate ${!nu ? 'uids' : 'gids'}: rootless Podman can map only one user`, fix);
  if (nu < 65536 || ng < 65536) {
    return warn(
      `${user} has only ${nu} subuids and ${ng} subgids: images with higher uids fail to unpack`,
      `${fix}; or set ignore_chown_errors (slurm-oci generate storage-conf does)`,
    );
  }
  return ok(`${nu} subuids and ${ng} subgids`);
}

export default {
  name: 'subids',
  run: async (host) => {
    const { username: user, uid } = host.user;
    if (uid === 0) return skip('root needs no subordinate ids');
    const files = ['/etc/subuid', '/etc/subgid'].map((f) => host.read(f) ?? '');
    let [uids, gids] = files.map((text) => rangesIn(text, user, uid));
    const getsubids = host.which('getsubids');
    if (getsubids && (!uids.length || !gids.length)) {
      // getsubids prints "0: alice 100000 65536" per range, from files or the NSS subid source.
      const parse = (out: string) =>
        [...out.matchAll(/^\d+: \S+ (\d+) (\d+)$/gm)].map((m) => ({ start: Number(m[1]), count: Number(m[2]) }));
      if (!uids.length) uids = parse((await host.run(getsubids, [user])).stdout);
      if (!gids.length) gids = parse((await host.run(getsubids, ['-g', user])).stdout);
    }
    return judgeSubids(user, uids, gids, Math.max(...files.map(freeStart)));
  },
} satisfies Check;
