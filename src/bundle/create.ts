// `slurm-oci bundle create`: a bundle for `srun --container` from a Podman image, a directory or a
// tarball (the manual ways of Slurm's containers page in one command).
import fs from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { CliError } from '../errors.js';
import { writeBundleConfig } from './config-file.js';
import { rootlessRewrite } from './rootless.js';
import { defaultSpec, type ProcessSpec } from './spec.js';
import type { RootlessOptions } from './rootless-steps.js';

export type Source = { image?: string; rootfs?: string; tar?: string };

type ImageConfig = { Env?: string[]; Entrypoint?: string[]; Cmd?: string[]; WorkingDir?: string; User?: string };

const fail = (what: string, r: { exitCode?: number; stderr: unknown }) => {
  if (r.exitCode !== 0) throw new CliError(`${what} failed: ${String(r.stderr).trim()}`);
};

// Unpacks IMAGE's filesystem into ROOTFS through a throw-away container; returns the image config.
async function fromImage(image: string, rootfs: string): Promise<ImageConfig> {
  const inspect = await execa('podman', ['image', 'inspect', '--format', 'json', image], { reject: false });
  fail(`podman image inspect ${image} (pull it first, or check the name)`, inspect);
  const config = ((JSON.parse(String(inspect.stdout)) as { Config?: ImageConfig }[])[0]?.Config ?? {}) as ImageConfig;
  const created = await execa('podman', ['create', '-q', image, 'true'], { reject: false });
  fail(`podman create ${image}`, created);
  const id = String(created.stdout).trim();
  try {
    const r = await execa('podman', ['export', id], { reject: false, buffer: false }).pipe(
      'tar',
      ['-x', '--no-same-owner', '-C', rootfs, '-f', '-'],
      { reject: false },
    );
    fail(`podman export ${image}`, r.pipedFrom[0] ?? { exitCode: 0, stderr: '' });
    fail(`unpacking ${image}`, r);
  } finally {
    await execa('podman', ['rm', '-f', id], { reject: false });
  }
  return config;
}

// The container user as numbers: "uid[:gid]" or a name looked up in the rootfs's /etc/passwd.
function imageUser(user: string | undefined, rootfs: string): { uid: number; gid: number } {
  if (!user) return { uid: 0, gid: 0 };
  const [name, group] = user.split(':');
  if (/^\d+$/.test(name)) return { uid: Number(name), gid: /^\d+$/.test(group ?? '') ? Number(group) : Number(name) };
  const passwd = fs.readFileSync(path.join(rootfs, 'etc/passwd'), 'utf8').split('\n');
  const entry = passwd.map((l) => l.split(':')).find((f) => f[0] === name);
  if (!entry) throw new CliError(`the image runs as user ${name}, which its /etc/passwd does not list`);
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

// Fills ROOTFS from SOURCE; returns the image config when the source is an image.
async function fill(source: Source, rootfs: string): Promise<ImageConfig> {
  if (source.image) return fromImage(source.image, rootfs);
  if (source.tar)
    fail(
      `unpacking ${source.tar}`,
      await execa('tar', ['-x', '--no-same-owner', '-C', rootfs, '-f', source.tar], { reject: false }),
    );
  if (source.rootfs) {
    fail(
      `copying ${source.rootfs}`,
      await execa('cp', ['-a', '--reflink=auto', '-T', '--', source.rootfs, rootfs], { reject: false }),
    );
  }
  return {};
}

// Creates DIR (new or empty) with rootfs/ and config.json; returns the rootless change list.
export async function createBundle(
  dir: string,
  source: Source,
  options: { args: string[]; rootless: boolean; steps: RootlessOptions },
): Promise<string[]> {
  const existed = fs.existsSync(dir);
  if (existed && fs.readdirSync(dir).length)
    throw new CliError(`${dir} exists and is not empty`, 1, 'give a new directory');
  const rootfs = path.join(dir, 'rootfs');
  fs.mkdirSync(rootfs, { recursive: true });
  try {
    const image = await fill(source, rootfs);
    const args = options.args.length ? options.args : [...(image.Entrypoint ?? []), ...(image.Cmd ?? [])];
    const process: ProcessSpec = {
      args: args.length ? args : ['/bin/sh'],
      env: image.Env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      cwd: image.WorkingDir || '/',
      ...imageUser(image.User, rootfs),
    };
    const spec = defaultSpec(process);
    const ids = { uid: globalThis.process.getuid?.() ?? 0, gid: globalThis.process.getgid?.() ?? 0 };
    const result = options.rootless
      ? rootlessRewrite(spec, { ...options.steps, ...ids })
      : { config: spec, changes: [] };
    writeBundleConfig(dir, result.config);
    return result.changes;
  } catch (error) {
    // leave nothing behind, not even the directory when we made it
    fs.rmSync(existed ? rootfs : dir, { recursive: true, force: true });
    throw error;
  }
}
