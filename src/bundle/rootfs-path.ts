// A path as the container sees it, resolved inside its rootfs on the host: every component is
// looked up within the rootfs and its symlinks are followed the way the container would follow
// them (an absolute target starts again at the rootfs, not at the host's /). A path that would
// climb out (`..` above the rootfs) is refused, so a copy into or out of a rootfs never reaches
// the host whatever the image's symlinks say. lua/scrun.lua.hbs (inside_rootfs) does the same.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';

// Linux's own limit on symlinks followed in one lookup.
const MAX_LINKS = 40;

const words = (p: string) => p.split('/').filter((w) => w !== '' && w !== '.');

// The host path of container path P inside ROOTFS (absolute or not, P is taken from the rootfs's /).
export function resolveInRootfs(rootfs: string, p: string): string {
  const pending = words(p);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length) {
    const word = pending.shift()!;
    if (word === '..') {
      if (!resolved.length)
        throw new CliError(`${p} leaves the rootfs ${rootfs} (through ..)`, 1, 'give a path inside the container');
      resolved.pop();
      continue;
    }
    const here = path.join(rootfs, ...resolved, word);
    if (!fs.lstatSync(here, { throwIfNoEntry: false })?.isSymbolicLink()) {
      resolved.push(word);
      continue;
    }
    if (++links > MAX_LINKS)
      throw new CliError(
        `${p} in the rootfs ${rootfs}: too many levels of symbolic links`,
        1,
        'fix the links in the image',
      );
    const target = fs.readlinkSync(here);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...words(target));
  }
  return path.join(rootfs, ...resolved);
}
