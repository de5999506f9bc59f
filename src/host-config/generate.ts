// The `slurm-oci generate containers-conf|storage-conf|docker-daemon` implementations: build the
// model from the options and the current user, check the target, then print or write it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertWritable, writeOutput } from '../util/output.js';
import { writeFileAtomic } from '../util/files.js';
import { buildContainersConf, containersConfToml } from './containers-conf.js';
import { buildStorageConf, defaultGraphroot, defaultRunroot, storageConfToml } from './storage-conf.js';
import { buildDockerSetup, defaultDockerRoots, securityExport, unitFileText } from './docker-daemon.js';
import { assertLocalDisk } from './fs-type.js';
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
export function generateStorageConf(args: Output & { graphroot?: string; runroot?: string; driver: 'vfs' | 'overlay' }): void {
  const { username, uid } = os.userInfo();
  const graphroot = path.resolve(args.graphroot ?? defaultGraphroot(username));
  assertLocalDisk(graphroot, args.force, '--graphroot');
  const conf = buildStorageConf({ driver: args.driver, graphroot, runroot: args.runroot ?? defaultRunroot(uid) });
  writeOutput(storageConfToml(conf), args.output, args.force);
}

// daemon.json, the rootlesskit drop-in and the `docker run` flags: printed, or installed under a
// config directory (~/.config for one user, /etc for all) with the flags printed.
export function generateDockerDaemon(
  args: { runtime: RuntimeKind; runtimePath?: string; dataRoot?: string; execRoot?: string; configDir?: string; force: boolean; format: string },
): void {
  const { username, uid } = os.userInfo();
  const roots = defaultDockerRoots(username, uid);
  const dataRoot = path.resolve(args.dataRoot ?? roots.dataRoot);
  assertLocalDisk(dataRoot, args.force, '--data-root');
  const setup = buildDockerSetup({
    runtimePath: args.runtimePath ?? runtimePath(args.runtime),
    dataRoot,
    execRoot: args.execRoot ?? roots.execRoot,
  });
  const daemonJson = `${JSON.stringify(setup.daemonJson, null, 2)}\n`;
  const override = unitFileText(setup.override);
  const exportLine = securityExport(setup.securityFlags);
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
      `wrote ${files.map(([f]) => f).join(' and ')}\nthen: systemctl --user daemon-reload && systemctl --user restart docker\nand add to your shell profile:\n${exportLine}`,
    );
  } else if (args.format === 'json') {
    process.stdout.write(`${JSON.stringify({ daemonJson: setup.daemonJson, systemdOverride: override, securityFlags: setup.securityFlags }, null, 2)}\n`);
  } else {
    process.stdout.write(
      `# ~/.config/docker/daemon.json (or /etc/docker/daemon.json)\n${daemonJson}\n` +
        `# ~/.config/systemd/user/docker.service.d/override.conf (or /etc/systemd/user/...)\n${override}\n` +
        `# shell profile: then \`docker run $DOCKER_SECURITY IMAGE CMD\`\n${exportLine}`,
    );
  }
}
