// The TypeScript rootless rewrite: each step on the corpus, purity, and the options that turn steps off.
import { describe, expect, test } from '@jest/globals';
import { rootlessRewrite } from '../../src/bundle/rootless.js';
import { rootlessSteps } from '../../src/bundle/rootless-steps.js';
import * as oci from '../../src/generated/oci-validators.cjs';
import { bundleCorpus } from '../helpers/bundle-corpus.js';

type Config = Record<string, any>;
const rewrite = (config: object, options: object = {}) =>
  rootlessRewrite(config, { uid: 1000, gid: 100, ...options }) as {
    config: Config;
    changes: string[];
    copies: object[];
  };
const corpus = bundleCorpus();
const byName = (name: string) => corpus.find((c) => c.name === name)!.config;

describe('on every corpus config', () => {
  test.each(corpus.map((c) => [c.name, c.config] as const))('%s: pure, idempotent, and still valid', (name, config) => {
    const before = JSON.stringify(config);
    const once = rewrite(config, { env: ['JOB=1'] });
    expect(JSON.stringify(config)).toBe(before);
    expect(rewrite(once.config, { env: ['JOB=1'] }).config).toEqual(once.config);
    if (oci.config(config)) expect(oci.config(once.config) ? [] : oci.config.errors).toEqual([]);
    if (!('linux' in config)) expect(once.config.linux).toBeUndefined();
  });
});

describe('steps', () => {
  test('spec-example: user namespace kept once, ids mapped, privileged bits dropped', () => {
    const { config, changes } = rewrite(byName('spec-example'), { env: ['TERM=dumb', 'JOB_ID=7'] });
    expect(config.linux.namespaces.filter((n: Config) => n.type === 'user')).toHaveLength(1);
    expect(config.linux.uidMappings).toEqual([{ containerID: 1, hostID: 1000, size: 1 }]);
    expect(config.linux.gidMappings).toEqual([{ containerID: 1, hostID: 100, size: 1 }]);
    expect(config.process.user).toEqual({ uid: 1, gid: 1 });
    expect(config.linux.cgroupsPath).toBeUndefined();
    expect(config.hooks.prestart).toBeUndefined();
    expect(config.hooks.poststop).toBeDefined();
    expect(config.process.rlimits).toBeUndefined();
    // the container's own TERM wins; the job's new variable is added once
    expect(config.process.env.filter((e: string) => e.startsWith('TERM='))).toEqual(['TERM=xterm']);
    expect(config.process.env).toContain('JOB_ID=7');
    expect(changes).toContain('remove hooks.prestart');
  });

  test('podman: a user namespace is added and devpts loses gid=5', () => {
    const { config } = rewrite(byName('podman-busybox'));
    expect(config.linux.namespaces).toContainEqual({ type: 'user' });
    const devpts = config.mounts.find((m: Config) => m.destination === '/dev/pts');
    expect(devpts.options).not.toContain('gid=5');
    expect(devpts.options).toContain('newinstance');
  });

  test('a mount left with no options loses the key; others keep theirs', () => {
    const config = {
      mounts: [
        { destination: '/a', type: 'tmpfs', source: 't', options: ['uid=1', 'gid=2'] },
        { destination: '/b', options: [] },
      ],
    };
    expect(rewrite(config).config.mounts).toEqual([
      { destination: '/a', type: 'tmpfs', source: 't' },
      { destination: '/b', options: [] },
    ]);
  });

  test('bindMounts=copy drops bind mounts into the copy list, except /proc, /sys and /dev', () => {
    const { config, copies } = rewrite(byName('podman-busybox'), { bindMounts: 'copy' });
    expect(config.mounts.map((m: Config) => m.destination)).toEqual([
      '/proc',
      '/dev',
      '/sys',
      '/dev/pts',
      '/dev/mqueue',
      '/dev/shm',
      '/sys/fs/cgroup',
    ]);
    expect(copies.map((c: any) => c.destination)).toEqual([
      '/etc/resolv.conf',
      '/etc/hosts',
      '/run/.containerenv',
      '/etc/hostname',
    ]);
  });

  test('every step can be turned off, and with all off nothing changes', () => {
    const off = Object.fromEntries(rootlessSteps.map((s) => [s.name, s.name === 'bindMounts' ? 'keep' : false]));
    const config = byName('spec-example');
    expect(rewrite(config, { ...off, env: ['A=1'] })).toEqual({ config, changes: [], copies: [] });
  });

  test('rootPath points root.path at the staged rootfs', () => {
    expect(rewrite(byName('minimal'), { rootPath: '/scratch/c/rootfs' }).config.root.path).toBe('/scratch/c/rootfs');
  });

  test('unknown options are refused with the schema error', () => {
    expect(() => rewrite({}, { bogus: true })).toThrow(
      /rootless options is invalid:\n {2}\/: must NOT have additional properties \(bogus\)/,
    );
  });
});
