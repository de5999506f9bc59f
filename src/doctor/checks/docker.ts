// Rootless Docker through Slurm (the containers page) fails in two ways users meet first: dockerd
// stops at start because it cannot turn on IP forwarding, and slurmstepd cannot chdir to a bundle
// under exec-root because rootlesskit's /run is a private copy. Each is recognised from its message
// (docker info, dockerd's journal) or foreseen from daemon.json, with the fix named.
import fs from 'node:fs';
import path from 'node:path';
import { hiddenByRootlesskit } from '../../host-config/docker-daemon.js';
import { fail, ok, skip, warn, type Check, type Finding } from '../check.js';
import { firstLine } from '../host.js';

export type DockerFacts = {
  // the user's daemon.json: where, and its keys (or why it could not be read)
  config?: { file: string; json?: Record<string, unknown>; error?: string };
  // `docker info` as JSON, or its error
  info?: { json?: { DefaultRuntime?: string; SecurityOptions?: string[] }; error?: string };
  // the end of dockerd's log (the user's journal), when there is one
  log?: string;
  xdgRuntimeDir?: string;
};

const regenerate = (file: string) =>
  `slurm-oci generate docker-daemon --config-dir ${path.dirname(path.dirname(file))} --force, then restart dockerd (systemctl --user restart docker, or dockerd-rootless.sh)`;

// The two failures, from any message docker, dockerd or our runtime printed.
function fromMessages(text: string, file: string): Finding | undefined {
  if (/Enabling IP forwarding failed|ip_forward: permission denied/.test(text)) {
    return fail(
      'rootless dockerd stops at start: it cannot enable IP forwarding (failed to register "bridge" driver), which daemon.json leaves on',
      `add "ip-forward": false to ${file}: ${regenerate(file)}`,
    );
  }
  const chdir =
    /couldn't chdir to [`']?(\/run\/\.ro[^\s'`:]*)/.exec(text) ??
    /the (?:bundle|rootfs|bind mount source) (\S+) (?:exists only inside|is on a mount only) rootless Docker's/.exec(
      text,
    );
  if (chdir) {
    return fail(
      `Slurm cannot see ${chdir[1]}: it is under rootlesskit's private /run, where exec-root or data-root points`,
      `put exec-root and data-root outside /run: ${regenerate(file)}`,
    );
  }
  return undefined;
}

// Judges the facts for a user; the messages first (they are what happened), then daemon.json.
export function judgeDocker(f: DockerFacts): Finding {
  const file = f.config?.file ?? '~/.config/docker/daemon.json';
  const seen = fromMessages(`${f.info?.error ?? ''}\n${f.log ?? ''}`, file);
  if (seen) return seen;
  if (!f.config?.json) {
    if (f.config?.error) return fail(`${file} cannot be read: ${f.config.error}`, regenerate(file));
    return skip(`no ${file}: rootless Docker is not set up for Slurm here`);
  }
  const c = f.config.json;
  if (c['default-runtime'] !== 'slurm') {
    return warn(
      `${file} does not make slurm the default runtime: docker run runs containers on this host, not as Slurm jobs`,
      regenerate(file),
    );
  }
  if (c.bridge === 'none' && c['ip-forward'] !== false) {
    return fail(
      `${file} turns the bridge off but not ip-forward: rootless dockerd 26 stops at start (Enabling IP forwarding failed)`,
      `add "ip-forward": false: ${regenerate(file)}`,
    );
  }
  // rootless dockerd's defaults: exec-root $XDG_RUNTIME_DIR/docker, data-root ~/.local/share/docker
  const roots = {
    'exec-root': (c['exec-root'] as string | undefined) ?? `${f.xdgRuntimeDir ?? '/run/user/UID'}/docker`,
    'data-root': c['data-root'] as string | undefined,
  };
  for (const [key, dir] of Object.entries(roots)) {
    const hidden = dir && hiddenByRootlesskit(path.resolve(dir));
    if (hidden) {
      return fail(
        `${key} ${dir} is under ${hidden}, which rootlesskit replaces with a private copy: slurmstepd cannot chdir to the containers' bundles ("couldn't chdir to ${hidden}/.ro...")`,
        `put exec-root and data-root outside ${hidden}: ${regenerate(file)}`,
      );
    }
  }
  if (f.info?.error)
    return warn(
      `dockerd does not answer: ${firstLine(f.info.error)}`,
      "start it: systemctl --user start docker, or dockerd-rootless.sh (with the drop-in's two variables) where there is no systemd",
    );
  const rootless = f.info?.json?.SecurityOptions?.some((o) => o.includes('rootless'));
  if (f.info?.json && !rootless)
    return warn(
      'the dockerd that answers is not rootless',
      'set DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock: Slurm runs rootless Docker',
    );
  return ok(
    `${file}: runtime slurm, ip-forward off, exec-root and data-root visible to Slurm${f.info?.json ? `; dockerd answers (default runtime ${f.info.json.DefaultRuntime})` : ''}`,
  );
}

export default {
  name: 'docker',
  run: async (host) => {
    const docker = host.which('docker');
    if (host.user.uid === 0) return skip('rootless Docker is per user: run doctor as the user who runs containers');
    const configHome = host.env.XDG_CONFIG_HOME || path.join(host.user.homedir, '.config');
    const file = path.join(configHome, 'docker/daemon.json');
    const text = host.read(file);
    let config: DockerFacts['config'];
    if (text !== undefined) {
      try {
        config = { file, json: JSON.parse(text) as Record<string, unknown> };
      } catch (error) {
        config = { file, error: (error as Error).message };
      }
    }
    if (!docker && !config) return skip('docker is not installed');
    const xdg = host.env.XDG_RUNTIME_DIR;
    let info: DockerFacts['info'];
    if (docker) {
      const hostFlag = host.env.DOCKER_HOST || !xdg ? [] : ['-H', `unix://${xdg}/docker.sock`];
      const r = await host.run(docker, [...hostFlag, 'info', '--format', '{{json .}}']);
      // an unreachable daemon still exits 0 with --format, its error in ServerErrors
      const json =
        r.exitCode === 0
          ? (JSON.parse(r.stdout) as NonNullable<DockerFacts['info']>['json'] & { ServerErrors?: string[] })
          : undefined;
      info = json && !json.ServerErrors?.length ? { json } : { error: json?.ServerErrors?.join('\n') ?? r.stderr };
    }
    const journalctl = host.which('journalctl');
    const log =
      journalctl && fs.existsSync('/run/systemd/system')
        ? (await host.run(journalctl, ['--user', '-u', 'docker', '-n', '200', '-o', 'cat', '--no-pager'])).stdout
        : undefined;
    return judgeDocker({ config: config ?? { file }, info, log, xdgRuntimeDir: xdg });
  },
} satisfies Check;
