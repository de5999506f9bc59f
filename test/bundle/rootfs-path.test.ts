// Copies stay inside the rootfs whatever its symlinks say: resolveInRootfs on its own, then the
// bind-mount copy of `bundle rootless --bind-mounts copy` against the generated scrun.lua's
// (real Lua 5.1 and 5.4 through the stand-in) on the same hostile rootfs, and scrun.lua's stage-out.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { applyRootless } from '../../src/bundle/apply-rootless.js';
import { resolveInRootfs } from '../../src/bundle/rootfs-path.js';
import { generateScrunLua } from '../../src/scrun-lua/generate.js';
import { LUAS, luaTest } from '../helpers/lua.js';

let tmp: string;
let host: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rootfs-path-'));
  host = path.join(tmp, 'host');
  fs.mkdirSync(host);
  fs.writeFileSync(path.join(host, 'secret'), 'host secret');
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A rootfs whose links point at the host (absolute), at its own / and out through `..`.
function hostileRootfs(rootfs: string): void {
  fs.mkdirSync(path.join(rootfs, 'var'), { recursive: true });
  fs.mkdirSync(path.join(rootfs, 'etc'));
  fs.symlinkSync('/run', path.join(rootfs, 'var/run'));
  fs.symlinkSync(host, path.join(rootfs, 'hostdir'));
  fs.symlinkSync('/', path.join(rootfs, 'top'));
  fs.symlinkSync('../../../../../../../..', path.join(rootfs, 'up'));
  fs.symlinkSync('loop2', path.join(rootfs, 'loop1'));
  fs.symlinkSync('loop1', path.join(rootfs, 'loop2'));
}

describe('resolveInRootfs', () => {
  test('follows links as the container would, absolute ones from the rootfs', () => {
    const rootfs = path.join(tmp, 'rootfs');
    hostileRootfs(rootfs);
    expect(resolveInRootfs(rootfs, '/var/run/x')).toBe(path.join(rootfs, 'run/x'));
    expect(resolveInRootfs(rootfs, '/hostdir/secret')).toBe(path.join(rootfs, host, 'secret'));
    expect(resolveInRootfs(rootfs, 'top/etc/./f')).toBe(path.join(rootfs, 'etc/f'));
    expect(resolveInRootfs(rootfs, '/etc/../etc/f')).toBe(path.join(rootfs, 'etc/f'));
  });

  test('refuses a path that climbs out, and a link loop', () => {
    const rootfs = path.join(tmp, 'rootfs');
    hostileRootfs(rootfs);
    expect(() => resolveInRootfs(rootfs, '/up/etc/passwd')).toThrow(/leaves the rootfs/);
    expect(() => resolveInRootfs(rootfs, '/../x')).toThrow(/leaves the rootfs/);
    expect(() => resolveInRootfs(rootfs, '/loop1/x')).toThrow(/too many levels/);
  });
});

// Every file under DIR as "relative path: content" (links as "-> target"), sorted.
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const name of fs.readdirSync(path.join(dir, sub)).sort()) {
      const rel = path.join(sub, name);
      const st = fs.lstatSync(path.join(dir, rel));
      if (st.isSymbolicLink()) out.push(`${rel} -> ${fs.readlinkSync(path.join(dir, rel))}`);
      else if (st.isDirectory()) walk(rel);
      else out.push(`${rel}: ${fs.readFileSync(path.join(dir, rel), 'utf8')}`);
    }
  };
  walk('');
  return out;
}

// A bundle in DIR whose bind mounts land on DESTINATIONS, over the hostile rootfs.
function bundle(dir: string, destinations: string[]): void {
  hostileRootfs(path.join(dir, 'rootfs'));
  const source = path.join(tmp, 'bind-source');
  fs.writeFileSync(source, 'bound');
  const mounts = destinations.map((destination) => ({ type: 'bind', source, destination, options: ['rbind'] }));
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({ ociVersion: '1.0.0', root: { path: 'rootfs' }, process: { args: ['true'] }, mounts }),
  );
}

const uid = process.getuid!();
const gid = process.getgid!();
const onlyBindCopy = { bindMounts: 'copy' as const, forceUserNamespace: false, mapIds: false };
const standIn = path.resolve('test/fixtures/scrun-lua/stand-in.lua');

// Runs the generated scrun.lua (staging none: the copy lands in the bundle's own rootfs) on BUNDLE.
function runLua(lua: string, dir: string, options: object, env: Record<string, string> = {}) {
  const script = path.join(tmp, 'scrun.lua');
  fs.writeFileSync(script, generateScrunLua({ scratchDir: path.join(tmp, 'scratch'), ...options }));
  const r = spawnSync(lua, [standIn, script, 'c1', dir, String(uid), String(gid)], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return {
    in: Number(/^IN (-?\d+)$/m.exec(r.stdout)?.[1]),
    out: Number(/^OUT (-?\d+)$/m.exec(r.stdout)?.[1]),
    logs: r.stdout,
  };
}

describe.each(LUAS)('TypeScript and scrun.lua under $lua agree', ({ lua, installed }) => {
  const luaIt = luaTest(lua, installed);

  luaIt('bind copies through the rootfs links land inside it, the same files either way', async () => {
    const destinations = ['/var/run/sock', '/hostdir/secret', '/top/etc/conf', '/etc/plain'];
    const ts = path.join(tmp, 'ts');
    const lu = path.join(tmp, 'lu');
    bundle(ts, destinations);
    bundle(lu, destinations);
    await applyRootless(ts, { ...onlyBindCopy, uid, gid }, false);
    const r = runLua(lua, lu, {
      staging: 'none',
      steps: { bindMounts: 'copy', forceUserNamespace: false, mapIds: false },
    });
    expect(r.in).toBe(0);
    expect(tree(path.join(lu, 'rootfs'))).toEqual(tree(path.join(ts, 'rootfs')));
    expect(tree(path.join(ts, 'rootfs'))).toEqual(
      expect.arrayContaining(['run/sock: bound', 'etc/conf: bound', `${host.slice(1)}/secret: bound`]),
    );
    expect(fs.readFileSync(path.join(host, 'secret'), 'utf8')).toBe('host secret');
  });

  luaIt('a destination that climbs out is refused by both, and nothing is copied', async () => {
    const ts = path.join(tmp, 'ts');
    const lu = path.join(tmp, 'lu');
    bundle(ts, ['/up/tmp/evil']);
    bundle(lu, ['/up/tmp/evil']);
    await expect(applyRootless(ts, { ...onlyBindCopy, uid, gid }, false)).rejects.toThrow(/leaves the rootfs/);
    const r = runLua(lua, lu, {
      staging: 'none',
      steps: { bindMounts: 'copy', forceUserNamespace: false, mapIds: false },
    });
    expect(r.in).toBe(-1);
    expect(r.logs).toMatch(/leaves the rootfs/);
    expect(fs.existsSync('/tmp/evil')).toBe(false);
  });

  luaIt('stage-out: a container that turns /out into a link to a host directory gets no host file copied out', () => {
    const dir = path.join(tmp, 'b');
    bundle(dir, []);
    const scratchOut = path.join(tmp, 'scratch/c1/rootfs/out');
    const r = runLua(
      lua,
      dir,
      { staging: 'copy', stageOut: ['/out'] },
      { STAND_IN_BEFORE_OUT: `rm -rf '${scratchOut}' && ln -s '${host}' '${scratchOut}'` },
    );
    expect(r.in).toBe(0);
    expect(r.out).toBe(0);
    expect(fs.existsSync(path.join(dir, 'rootfs/out'))).toBe(false);
    expect(tree(path.join(dir, 'rootfs')).join('\n')).not.toContain('host secret');
  });
});
