// Rootless containers need unprivileged user namespaces: these sysctls (Debian's clone switch,
// the namespace limit, Ubuntu's AppArmor restrictions) turn them off, and the containers page
// lists them as prerequisites.
import { fail, ok, type Check, type Finding } from '../check.js';
import { firstLine } from '../host.js';

// sysctl name -> [file under /proc/sys, the value that blocks user namespaces, the value to set].
const sysctls: Record<string, [string, string, string]> = {
  'kernel.unprivileged_userns_clone': ['kernel/unprivileged_userns_clone', '0', '1'],
  'user.max_user_namespaces': ['user/max_user_namespaces', '0', '15000'],
  'kernel.apparmor_restrict_unprivileged_userns': ['kernel/apparmor_restrict_unprivileged_userns', '1', '0'],
  'kernel.apparmor_restrict_unprivileged_unconfined': ['kernel/apparmor_restrict_unprivileged_unconfined', '1', '0'],
};

// Judges the sysctl values (undefined: not on this kernel) and, when they allow it, whether
// creating a user namespace actually worked (undefined: not tried).
export function judgeUserns(values: Record<string, string | undefined>, unshareError?: string): Finding {
  const blocking = Object.entries(sysctls).filter(([name, [, bad]]) => values[name]?.trim() === bad);
  if (blocking.length) {
    const set = blocking.map(([name, [, , good]]) => `${name}=${good}`);
    return fail(
      `user namespaces are off: ${blocking.map(([name, [, bad]]) => `${name}=${bad}`).join(', ')}`,
      `sudo sysctl -w ${set.join(' ')}; keep it across reboots: printf '%s\\n' ${set.join(' ')} | sudo tee /etc/sysctl.d/90-slurm-oci.conf`,
    );
  }
  if (unshareError) {
    return fail(
      `the sysctls allow user namespaces but creating one failed: ${unshareError}`,
      'check the SELinux/AppArmor policy for unprivileged user namespaces (Slurm points SELinux sites to its selinux.html)',
    );
  }
  const max = values['user.max_user_namespaces'];
  return ok(`unprivileged user namespaces allowed${max ? ` (max_user_namespaces=${max.trim()})` : ''}`);
}

export default {
  name: 'userns',
  run: async (host) => {
    const values = Object.fromEntries(
      Object.entries(sysctls).map(([name, [file]]) => [name, host.read(`/proc/sys/${file}`)]),
    );
    let unshareError: string | undefined;
    const unshare = host.which('unshare');
    if (unshare && host.user.uid !== 0) {
      const r = await host.run(unshare, ['--user', '--map-root-user', 'true']);
      if (r.exitCode !== 0) unshareError = firstLine(r.stderr);
    }
    return judgeUserns(values, unshareError);
  },
} satisfies Check;
