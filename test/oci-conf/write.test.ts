// The writer and the parser share one model: parse(generate(x)) gives back x, for every preset and
// every Slurm version it supports, and for values that need escaping.
import { describe, expect, test } from '@jest/globals';
import { generate } from '../../src/oci-conf/generate.js';
import { atLeast, SLURM_VERSIONS } from '../../src/oci-conf/keys.js';
import { accepted, lintOciConf } from '../../src/oci-conf/lint.js';
import { parseOciConf } from '../../src/oci-conf/parse.js';
import { PRESET_NAMES, PRESETS } from '../../src/oci-conf/presets.js';
import { formatLines, writeOciConf } from '../../src/oci-conf/write.js';

const cases = PRESET_NAMES.flatMap((preset) =>
  SLURM_VERSIONS.filter((v) => atLeast(v, PRESETS[preset].since)).map((version) => ({ preset, version })),
);

describe.each(cases)('$preset for Slurm $version', ({ preset, version }) => {
  test('round-trips through the parser and lints without errors', () => {
    const built = PRESETS[preset].build({ preset }, version);
    const text = writeOciConf(built.conf, version, preset, built.notes);
    expect(parseOciConf(text)).toEqual(built.conf);
    const findings = lintOciConf(text, { slurmVersion: version });
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(accepted(findings)).toBe(true);
  });
});

describe('writer escaping', () => {
  test('#, backslashes, %% and spaces survive a round trip', () => {
    const conf = {
      EnvExclude: '^(X#Y|A\\.B)=',
      RunTimeRun: "sh -c 'date +%%s # not a comment' %b",
      RunTimeKill: 'k\\',
      RunTimeDelete: 'd',
      SrunArgs: ['--x=1', 'two words', ''],
      DisableCleanup: true,
      CreateEnvFile: 'newline',
      StdIODebug: 'debug2',
    };
    const text = writeOciConf(conf, '26.05', 'test');
    expect(parseOciConf(text)).toEqual(conf);
  });
  test('CreateEnvFile is written as a boolean before 23.02', () => {
    expect(formatLines({ CreateEnvFile: 'null' }, '22.05')).toEqual(['CreateEnvFile=true']);
    expect(parseOciConf(formatLines({ CreateEnvFile: 'null' }, '22.05').join('\n'))).toEqual({ CreateEnvFile: 'null' });
    expect(() => formatLines({ CreateEnvFile: 'newline' }, '22.05')).toThrow(/needs Slurm 23.02/);
  });
  test('a value Slurm cannot carry is a clear error', () => {
    expect(() => formatLines({ RunTimeRun: 'echo "hi"' }, '24.11')).toThrow(/cannot contain a double quote/);
    expect(() => formatLines({ RunTimeRun: 'a\nb' }, '24.11')).toThrow(/must be one line/);
    expect(() => formatLines({ RunTimeRun: 'date +%F' }, '24.11')).toThrow(/unknown pattern `%F`/);
    expect(() => formatLines({ RunTimeRun: 'x %Z' }, '24.11')).toThrow(/needs Slurm 26.05/);
    expect(() => formatLines({ NoSuchKey: 'x' }, '24.11')).toThrow(/unknown oci.conf key: NoSuchKey/);
    expect(() => formatLines({ SrunPath: '/usr/bin/srun' }, '22.05')).toThrow(/needs Slurm 23.02/);
  });
});

describe('preset specifics', () => {
  test('default container ids keep %t out of Query, Kill and Delete (cleanup runs with %t = -1)', () => {
    for (const { preset, version } of cases) {
      const conf: Record<string, unknown> = PRESETS[preset].build({ preset }, version).conf;
      for (const key of ['RunTimeQuery', 'RunTimeKill', 'RunTimeDelete'])
        expect(String(conf[key] ?? '')).not.toContain('%t');
    }
  });
  test('slurm-oci-runtime runs this project runtime in run mode', () => {
    const { text } = generate({ preset: 'slurm-oci-runtime', slurmVersion: '24.11' });
    const base = 'slurm-oci-runtime --backend crun --root /run/user/%U/slurm-oci';
    expect(text).toContain(`RunTimeRun="${base} run --bundle %b %n.%u.%j.%s.%t"`);
    expect(text).toContain(
      `RunTimeDelete="for id in $(${base} list -q 2>/dev/null); do case $id in %n.%u.%j.%s.*) ${base} delete --force $id;; esac; done"`,
    );
  });
  test('paths with spaces and shell syntax are quoted for /bin/sh, % doubled in helper paths', () => {
    const { text } = generate({ preset: 'enroot', helperDir: '/opt/my tools/100%' });
    expect(parseOciConf(text).RunTimeRun).toBe("'/opt/my tools/100%%/enroot-start-wrapper' %b %m %e -- %@");
    const crun = generate({
      preset: 'crun-run',
      runtime: '/opt/$(evil)/crun',
      runtimeArgs: ['--cgroup-manager=disabled'],
    });
    expect(parseOciConf(crun.text).RunTimeRun).toMatch(
      /^'\/opt\/\$\(evil\)\/crun' --rootless=true --root=\/run\/user\/%U\/ --cgroup-manager=disabled run/,
    );
  });
  test('the multi-runtime preset ships its dispatcher, default runner and a user example', () => {
    const { helpers, text } = generate({ preset: 'multi-runtime' });
    expect(parseOciConf(text).RunTimeRun).toBe('/opt/slurm-oci/run %b %m %u %U %n %j %s %t %@');
    expect(helpers.map((h) => h.name)).toEqual(['run', 'slurm-oci-run-default', 'slurm-oci-run.user-example']);
    expect(helpers[0].content).toMatch(/exec \/opt\/slurm-oci\/slurm-oci-run-default "\$@"/);
  });
});

describe('helper scripts', () => {
  test.each(['enroot', 'multi-runtime'] as const)('%s: every helper is valid bash', async (preset) => {
    const { execa } = await import('execa');
    for (const h of generate({ preset, helperDir: '/opt/site tools' }).helpers) {
      expect(h.content.startsWith('#!/bin/bash\n')).toBe(true);
      expect((await execa('bash', ['-n'], { input: h.content, reject: false })).exitCode).toBe(0);
    }
  });
  test('the dispatcher quotes its default runner path', () => {
    const run = generate({ preset: 'multi-runtime', helperDir: '/opt/site tools' }).helpers[0].content;
    expect(run).toContain(`exec '/opt/site tools/slurm-oci-run-default' "$@"`);
  });
});
