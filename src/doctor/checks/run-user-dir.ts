// /run/user/UID holds the runtime state of rootless Podman, scrun and the oci.conf examples
// (`--root=/run/user/%U/`). systemd makes it at login and removes it at the last logout, so on
// compute nodes users never log in to it is missing unless lingering is on (the most reported failure).
import fs from 'node:fs';
import { fail, ok, warn, type Check, type Finding } from '../check.js';

export type RunUserFacts = {
  user: string;
  uid: number;
  dir?: { uid: number; mode: number };
  systemd: boolean;
  linger: boolean;
};

// Judges the directory, its owner and mode, and whether systemd will keep it.
export function judgeRunUser(f: RunUserFacts): Finding {
  const dir = `/run/user/${f.uid}`;
  const enable = `sudo loginctl enable-linger ${f.user} (on every compute node, or for all users through your provisioning)`;
  const prolog = `create it when jobs start: a Slurm prolog running \`install -d -m 0700 -o ${f.user} ${dir}\``;
  if (!f.dir)
    return fail(
      `${dir} is missing: rootless Podman, scrun and crun --root=/run/user/%U/ cannot keep state`,
      f.systemd ? enable : prolog,
    );
  if (f.dir.uid !== f.uid)
    return fail(
      `${dir} belongs to uid ${f.dir.uid}, not ${f.uid}`,
      `sudo chown ${f.user} ${dir} && sudo chmod 0700 ${dir}`,
    );
  if (f.dir.mode & 0o077)
    return warn(`${dir} is mode ${(f.dir.mode & 0o777).toString(8)}: other users can look in`, `chmod 0700 ${dir}`);
  if (f.systemd && !f.linger) {
    return warn(
      `${dir} exists, but lingering is off: systemd removes it when your last session on this node ends`,
      enable,
    );
  }
  return ok(
    `${dir} present, mode 0700${f.systemd ? ', lingering on' : ' (no systemd here: kept until the site removes it)'}`,
  );
}

export default {
  name: 'run-user-dir',
  run: async (host) => {
    const { username: user, uid } = host.user;
    const stat = fs.statSync(`/run/user/${uid}`, { throwIfNoEntry: false });
    const systemd = fs.existsSync('/run/systemd/system');
    let linger = fs.existsSync(`/var/lib/systemd/linger/${user}`);
    const loginctl = systemd ? host.which('loginctl') : undefined;
    if (loginctl && !linger) {
      linger = (await host.run(loginctl, ['show-user', user, '--property=Linger', '--value'])).stdout.trim() === 'yes';
    }
    return judgeRunUser({ user, uid, dir: stat && { uid: stat.uid, mode: stat.mode }, systemd, linger });
  },
} satisfies Check;
