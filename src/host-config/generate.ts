// The `slurm-oci generate containers-conf|storage-conf|docker-daemon` implementations: build the
// model from the options and the current user, check the target, then print or write it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertWritable, writeOutput } from '../util/output.js';
import { writeFileAtomic } from '../util/files.js';
import { buildContainersConf, containersConfToml } from './containers-conf.js';
import { buildStorageConf, defaultGraphroot, defaultRunroot, storageConfToml } from './storage-conf.js';
import { CliError } from '../errors.js';
import {
  buildDockerSetup,
  defaultDockerRoots,
  hiddenByRootlesskit,
  nodeLocalNote,
  rootsNote,
  securityExport,
  unitFileText,
} from './docker-daemon.js';
import { assertLocalDisk, fsTypeOf } from './fs-type.js';
import { runtimeCandidates, runtimePath, type RuntimeKind } from './runtime-paths.js';

type Output = { output?: string; force: boolean };

// containers.conf for Podman with the `slurm` runtime.
export function generateContainersConf(
  args: Output & { runtime: RuntimeKind; runtimePath?: string[]; runtimeFlag?: string[]; systemd: boolean },
): void {
  const conf = buildContainersConf({
    runtimePaths: args.runtimePath?.length ? args.runtimePath : runtimeCandidates(args.runtime),
    runtimeFlags: args.runtimeFlag ?? [],
    systemd: args.systemd,
  });
  writeOutput(containersConfToml(conf), args.output, args.force);
}

// storage.conf for the current user, refusing a graphroot on a shared filesystem.
export function generateStorageConf(
  args: Output & { graphroot?: string; runroot?: string; driver: 'vfs' | 'overlay' },
): void {
  const { username, uid } = os.userInfo();
  const graphroot = path.resolve(args.graphroot ?? defaultGraphroot(username));
  assertLocalDisk(graphroot, args.force, '--graphroot');
  const conf = buildStorageConf({ driver: args.driver, graphroot, runroot: args.runroot ?? defaultRunroot(uid) });
  writeOutput(storageConfToml(conf), args.output, args.force);
}

// daemon.json, the rootlesskit drop-in and the `docker run` flags: printed, or installed under a
// config directory (~/.config for one user, /etc for all) with the flags printed. Both roots must be
// where a Slurm job can see them; notes say why they are where they are.
export function generateDockerDaemon(args: {
  runtime: RuntimeKind;
  runtimePath?: string;
  dataRoot?: string;
  execRoot?: string;
  configDir?: string;
  force: boolean;
  format: string;
}): void {
  const { username, uid } = os.userInfo();
  const roots = defaultDockerRoots(username);
  const dataRoot = path.resolve(args.dataRoot ?? roots.dataRoot);
  const execRoot = path.resolve(args.execRoot ?? roots.execRoot);
  for (const [dir, option] of [
    [dataRoot, '--data-root'],
    [execRoot, '--exec-root'],
  ] as const)
    assertDockerRoot(dir, option, uid);
  assertLocalDisk(dataRoot, args.force, '--data-root');
  const setup = buildDockerSetup({ runtimePath: args.runtimePath ?? runtimePath(args.runtime), dataRoot, execRoot });
  // known local filesystems only: an unknown type may well be a cluster filesystem
  const local = [dataRoot, execRoot]
    .map((dir) => ({ dir, fs: fsTypeOf(dir) }))
    .filter((r) => !r.fs.shared && !r.fs.name.startsWith('unknown'));
  const fsNames = [...new Set(local.map((r) => r.fs.name))].join(', ');
  const notes = [
    rootsNote,
    ...(local.length
      ? [
          nodeLocalNote(
            local.map((r) => r.dir),
            fsNames,
          ),
        ]
      : []),
  ];
  const daemonJson = `${JSON.stringify(setup.daemonJson, null, 2)}\n`;
  const override = unitFileText(setup.override);
  const exportLine = securityExport(setup.securityFlags);
  const comments = notes.map((n) => `# ${n}\n`).join('');
  if (args.configDir) {
    const files = [
      [path.join(args.configDir, 'docker/daemon.json'), daemonJson],
      [path.join(args.configDir, 'systemd/user/docker.service.d/override.conf'), override],
    ];
    // Check both before writing either, so a refusal leaves nothing half-installed.
    for (const [file] of files) if (fs.existsSync(file)) assertWritable(file, args.force);
    for (const [file, text] of files) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeFileAtomic(file, text);
    }
    process.stdout.write(
      `wrote ${files.map(([f]) => f).join(' and ')}\n${comments}` +
        'then: systemctl --user daemon-reload && systemctl --user restart docker\n' +
        '(without systemd: DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=none dockerd-rootless.sh &)\n' +
        `and add to your shell profile:\n${exportLine}`,
    );
  } else if (args.format === 'json') {
    process.stdout.write(
      `${JSON.stringify({ daemonJson: setup.daemonJson, systemdOverride: override, securityFlags: setup.securityFlags, notes }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(
      `# ~/.config/docker/daemon.json (or /etc/docker/daemon.json)\n${comments}${daemonJson}\n` +
        `# ~/.config/systemd/user/docker.service.d/override.conf (or /etc/systemd/user/...)\n${override}\n` +
        `# shell profile: then \`docker run $DOCKER_SECURITY IMAGE CMD\`\n${exportLine}`,
    );
  }
}

// Refuses a root Slurm could not see (under a directory rootlesskit copies up) or one another user
// made (/var/tmp is open to all: a directory planted there could read or swap every image).
function assertDockerRoot(dir: string, option: string, uid: number): void {
  const real = realpathOfNearest(dir);
  const hidden = hiddenByRootlesskit(real);
  if (hidden) {
    throw new CliError(
      `${option} ${dir} is under ${hidden}, which rootless dockerd sees only as rootlesskit's private copy: a Slurm job could not reach the containers there; nothing was written`,
      1,
      `give ${option} a directory outside ${hidden} (the default is /var/tmp/containers-$USER/...)`,
    );
  }
  const owner = fs.statSync(dir, { throwIfNoEntry: false })?.uid;
  if (owner !== undefined && owner !== uid) {
    throw new CliError(
      `${option} ${dir} belongs to uid ${owner}, not you; nothing was written`,
      1,
      `remove it or give ${option} a directory of your own`,
    );
  }
}

// DIR with symlinks resolved as far as it exists (/var/run/user/1000/x is /run/user/1000/x).
function realpathOfNearest(dir: string): string {
  let existing = dir;
  while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  return path.join(fs.realpathSync(existing), path.relative(existing, dir));
}
