// The installed binary against each class of user error: a missing path, the wrong kind of path, a
// closed pipe, a full disk, a name too long for the filesystem. Each must end in one line (plus a
// hint), a non-zero exit and nothing written; never "internal error". Runs dist/ (npm test builds it),
// from a directory outside the repository, as an installed copy would be.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { packageVersion } from '../../src/util/package-root.js';

const bin = path.resolve('bin/slurm-oci');
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bin-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

const run = (args: string[], options: { stdout?: number } = {}) => {
  const r = spawnSync(bin, args, { cwd: tmp, encoding: 'utf8', stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr };
};

// One error line (and at most a hint), a non-zero exit, no stack trace.
function expectOneLine(r: { code: number | null; stderr: string }, message: RegExp): void {
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(message);
  expect(lines.slice(1).every((l) => l.startsWith('slurm-oci: hint: '))).toBe(true);
  expect(lines.length).toBeLessThanOrEqual(2);
  expect(r.code).not.toBe(0);
}

test('--version from any directory is the package version', () => {
  expect(run(['--version']).stdout.trim()).toBe(packageVersion());
  expect(run(['bundle', 'validate', '--version']).stdout.trim()).toBe(packageVersion());
});

describe('paths', () => {
  test('missing: lint, bundle validate, workflow --api-key-file', () => {
    expectOneLine(run(['lint', 'oci-conf', 'nope.conf']), /cannot read nope.conf/);
    expectOneLine(run(['bundle', 'validate', 'nope']), /cannot read nope\/config.json: no such file/);
    const r = run([
      'workflow',
      'launch',
      '--config',
      'dev',
      '--dry-run',
      '--runtime-url',
      'http://x:1',
      '--api-key-file',
      'no-key',
    ]);
    expectOneLine(r, /cannot read no-key: no such file or directory/);
  });

  test('wrong kind: generate site --out naming a file, -o naming a directory, a key file that is a directory', () => {
    fs.writeFileSync(path.join(tmp, 'taken'), 'mine');
    expectOneLine(
      run(['generate', 'site', '--preset', 'crun-run', '--out', 'taken']),
      /taken exists and is not a directory/,
    );
    expect(fs.readFileSync(path.join(tmp, 'taken'), 'utf8')).toBe('mine');
    fs.mkdirSync(path.join(tmp, 'dir'));
    expectOneLine(run(['generate', 'storage-conf', '-o', 'dir']), /dir is a directory; nothing was written/);
    const r = run([
      'workflow',
      'launch',
      '--config',
      'dev',
      '--dry-run',
      '--runtime-url',
      'http://x:1',
      '--api-key-file',
      'dir',
    ]);
    expectOneLine(r, /cannot read dir: it is a directory/);
  });

  test('a name too long for the filesystem', () => {
    const r = run(['generate', 'scrun-lua', '-o', 'x'.repeat(300)]);
    expectOneLine(r, /name is too long/);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });

  test('-o into a directory that does not exist yet makes it (a fresh ~/.config/containers)', () => {
    const r = run(['generate', 'containers-conf', '-o', 'home/.config/containers/containers.conf']);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(tmp, 'home/.config/containers/containers.conf'), 'utf8')).toContain('[engine');
  });
});

describe('output', () => {
  test('a full disk (stdout on /dev/full): one line, exit 1', () => {
    const full = fs.openSync('/dev/full', 'w');
    try {
      expectOneLine(
        run(['generate', 'scrun-lua'], { stdout: full }),
        /cannot write the output: no space left on the device/,
      );
    } finally {
      fs.closeSync(full);
    }
  });

  test('a closed pipe: one line, exit 1', async () => {
    const child = spawn(bin, ['generate', 'scrun-lua'], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expectOneLine({ code, stderr }, /output closed early/);
  });
});
