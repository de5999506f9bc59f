// Every lint rule against its own fixture (test/fixtures/oci-conf/lint, one broken file per rule):
// the expected finding is there, on the right line, and errors decide the verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, jest, test } from '@jest/globals';
import { runCli } from '../../src/cli.js';
import { keysFor } from '../../src/oci-conf/keys.js';
import { accepted, lintOciConf } from '../../src/oci-conf/lint.js';

const dir = path.resolve('test/fixtures/oci-conf/lint');
const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');

type Expect = {
  file: string;
  version?: string;
  severity: 'error' | 'warning';
  line: number;
  key?: string;
  message: RegExp;
};

// One row per rule of the issue (and a few more): the fixture and the finding it must produce.
export const RULES: Expect[] = [
  { file: 'err-unknown-key.conf', severity: 'error', line: 6, key: 'RunTimeFoo', message: /unknown key `RunTimeFoo`/ },
  { file: 'err-bad-boolean.conf', severity: 'error', line: 2, key: 'DisableCleanup', message: /not a boolean/ },
  {
    file: 'err-bad-create-env-file.conf',
    severity: 'error',
    line: 2,
    key: 'CreateEnvFile',
    message: /invalid CreateEnvFile value lines/,
  },
  {
    file: 'err-bad-regex.conf',
    severity: 'error',
    line: 2,
    key: 'EnvExclude',
    message: /POSIX extended regex: unmatched \(/,
  },
  { file: 'err-unknown-pattern.conf', severity: 'error', line: 3, key: 'RunTimeRun', message: /unknown pattern `%x`/ },
  { file: 'err-trailing-percent.conf', severity: 'error', line: 5, key: 'RunTimeRun', message: /trailing `%`/ },
  { file: 'err-mixed-modes.conf', severity: 'error', line: 3, key: 'RunTimeRun', message: /mixed with RunTimeCreate/ },
  {
    file: 'err-run-missing-kill.conf',
    severity: 'error',
    line: 0,
    key: 'RunTimeKill',
    message: /run mode needs RunTimeKill/,
  },
  {
    file: 'err-create-missing-query.conf',
    severity: 'error',
    line: 0,
    key: 'RunTimeQuery',
    message: /create\/start mode needs RunTimeQuery/,
  },
  { file: 'err-unterminated-quote.conf', severity: 'error', line: 5, key: 'RunTimeRun', message: /unterminated quote/ },
  {
    file: 'err-comment-cuts-value.conf',
    severity: 'error',
    line: 5,
    key: 'RunTimeRun',
    message: /a `#` cuts this value/,
  },
  { file: 'err-no-runtime.conf', severity: 'error', line: 0, message: /no RunTime\* key/ },
  {
    file: 'err-pattern-too-new.conf',
    version: '24.11',
    severity: 'error',
    line: 3,
    key: 'RunTimeRun',
    message: /`%Z` needs Slurm 26.05/,
  },
  {
    file: 'err-key-too-new-2205.conf',
    version: '22.05',
    severity: 'error',
    line: 2,
    key: 'IgnoreFileConfigJson',
    message: /Slurm 22.05 has no key IgnoreFileConfigJson/,
  },
  {
    file: 'warn-create-mode.conf',
    severity: 'warning',
    line: 2,
    key: 'RunTimeCreate',
    message: /create\/start mode: Slurm polls/,
  },
  { file: 'warn-kill-with-t.conf', severity: 'warning', line: 4, key: 'RunTimeKill', message: /%t = -1/ },
  { file: 'warn-kill-with-t.conf', severity: 'warning', line: 5, key: 'RunTimeDelete', message: /%t = -1/ },
  {
    file: 'warn-sudo.conf',
    severity: 'warning',
    line: 2,
    key: 'RunTimeQuery',
    message: /privileged \(sudo or setuid\)/,
  },
  { file: 'ok-run.conf', severity: 'warning', line: 2, key: 'RunTimeQuery', message: /\/run\/user\/%U.*session/ },
  {
    file: 'warn-missing-bundle.conf',
    severity: 'warning',
    line: 3,
    key: 'RunTimeRun',
    message: /does not pass the bundle \(%b\)/,
  },
  {
    file: 'err-ignore-without-run.conf',
    severity: 'error',
    line: 2,
    key: 'IgnoreFileConfigJson',
    message: /without RunTimeRun: every --container step fails/,
  },
  {
    file: 'warn-kill-sig-prefix.conf',
    severity: 'warning',
    line: 4,
    key: 'RunTimeKill',
    message: /dash .* rejects SIG-prefixed names/,
  },
  {
    file: 'warn-repeated-key.conf',
    severity: 'warning',
    line: 6,
    key: 'RunTimeQuery',
    message: /set again \(first on line 2\)/,
  },
  {
    file: 'warn-container-path-per-task.conf',
    version: '25.05',
    severity: 'warning',
    line: 2,
    key: 'ContainerPath',
    message: /since Slurm 25.05 ContainerPath is the parent directory/,
  },
  {
    file: 'warn-container-path-shared.conf',
    version: '24.11',
    severity: 'warning',
    line: 2,
    key: 'ContainerPath',
    message: /before Slurm 25.05 .* tasks of a step share one directory/,
  },
];

describe('lint rules, one fixture each', () => {
  test.each(RULES)('$file: $severity on line $line', ({ file, version, ...want }) => {
    const findings = lintOciConf(read(file), { slurmVersion: version ?? '24.11' });
    expect(findings).toContainEqual(expect.objectContaining({ ...want, message: expect.stringMatching(want.message) }));
    expect(accepted(findings)).toBe(!file.startsWith('err-'));
  });

  test('every fixture is covered by a rule row', () => {
    const covered = new Set(RULES.map((r) => r.file));
    expect(fs.readdirSync(dir).filter((f) => !covered.has(f) && !f.startsWith('ok-'))).toEqual([]);
  });

  test('a clean file has only the lingering warning, with a fix', () => {
    for (const file of ['ok-run.conf', 'ok-escapes.conf']) {
      const findings = lintOciConf(read(file), { slurmVersion: '24.11' });
      expect(findings).toHaveLength(1);
      expect(findings[0].fix).toMatch(/enable-linger/);
    }
  });
});

describe('version-specific rules', () => {
  const run = read('ok-run.conf').replaceAll('%U', '1000'); // %U only exists from 23.02
  test('run mode needs RunTimeQuery before 23.02 only', () => {
    const noQuery = run.replace(/^RunTimeQuery.*\n/m, '');
    expect(accepted(lintOciConf(noQuery, { slurmVersion: '22.05' }))).toBe(false);
    expect(accepted(lintOciConf(noQuery, { slurmVersion: '23.02' }))).toBe(true);
  });
  test('CreateEnvFile is a boolean before 23.02', () => {
    expect(lintOciConf(`CreateEnvFile=newline\n${run}`, { slurmVersion: '22.05' })).toContainEqual(
      expect.objectContaining({ severity: 'error', message: expect.stringMatching(/boolean before Slurm 23.02/) }),
    );
    expect(accepted(lintOciConf(`CreateEnvFile=yes\n${run}`, { slurmVersion: '22.05' }))).toBe(true);
  });
  test('an unknown version is a usage error', () => {
    expect(() => lintOciConf(run, { slurmVersion: '19.05' })).toThrow(/unknown Slurm version: 19.05/);
  });
  test('%@ with config.json in use is flagged, and fine with IgnoreFileConfigJson', () => {
    const at = 'RunTimeRun="runner %b %@"\nRunTimeKill="kill %p"\nRunTimeDelete="kill -9 %p"\n';
    expect(lintOciConf(at)).toContainEqual(
      expect.objectContaining({ severity: 'warning', message: expect.stringMatching(/%@, which is empty/) }),
    );
    expect(lintOciConf(`IgnoreFileConfigJson=true\n${at}`)).toEqual([]);
  });
});

describe('noise', () => {
  test('a problem repeated on one line is one finding, and its message does not repeat the key', () => {
    const findings = lintOciConf('RunTimeRun="crun %q %q run %b"\nRunTimeKill=k\nRunTimeDelete=d\n');
    const unknown = findings.filter((f) => /unknown pattern/.test(f.message));
    expect(unknown).toHaveLength(1);
    expect(unknown[0].message).not.toMatch(/^RunTimeRun/);
  });

  test('a file that is not an oci.conf: a few lines and a summary; control bytes shown escaped', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-'));
    const file = path.join(tmp, 'not.conf');
    fs.writeFileSync(file, `a\x1b[31m b\n${Array.from({ length: 200 }, (_, i) => `line ${i}: yaml`).join('\n')}\n`);
    let out = '';
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((out += String(chunk)), true));
    try {
      await expect(runCli(['lint', 'oci-conf', file, '--slurm-version', '24.11'])).rejects.toMatchObject({
        exitCode: 1,
      });
    } finally {
      jest.restoreAllMocks();
    }
    expect(out.split('\n').length).toBeLessThan(20);
    expect(out).toContain('more like that');
    expect(out).toContain('a\\x1b[31m b');
    expect(out).not.toContain('\x1b');
  });
});

describe('Slurm 24.11 to 26.05 (src/common/oci_config.c, container.c at each release tag)', () => {
  test('%Z (the job working directory) is refused before 26.05 and accepted from 26.05', () => {
    for (const version of ['24.11', '25.05', '25.11'])
      expect(accepted(lintOciConf(read('err-pattern-too-new.conf'), { slurmVersion: version }))).toBe(false);
    expect(
      lintOciConf(read('err-pattern-too-new.conf'), { slurmVersion: '26.05' }).filter((f) => /%Z/.test(f.message)),
    ).toEqual([]);
    expect(accepted(lintOciConf(read('err-pattern-too-new.conf'), { slurmVersion: '26.05' }))).toBe(true);
  });
  test('no oci.conf key is new after 24.11: the same twenty keys through 26.05', () => {
    expect(keysFor('26.05').map((k) => k.name)).toEqual(keysFor('24.11').map((k) => k.name));
    expect(keysFor('24.11')).toHaveLength(20);
  });
  test('the two ContainerPath fixtures are each right for the other side of 25.05', () => {
    const containerPath = (file: string, version: string) =>
      lintOciConf(read(file), { slurmVersion: version }).filter((f) => f.key === 'ContainerPath');
    expect(containerPath('warn-container-path-per-task.conf', '24.11')).toEqual([]);
    expect(containerPath('warn-container-path-shared.conf', '26.05')).toEqual([]);
  });
});
