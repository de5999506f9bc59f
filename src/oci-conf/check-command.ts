// `slurm-oci check oci-conf FILE --bundle DIR [--user U]`: lint first (a file Slurm rejects is not
// worth running), then run the commands and print each one, its exit code, output and verdict.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { readBundleConfig } from '../bundle/config-file.js';
import { resolveInRootfs } from '../bundle/rootfs-path.js';
import { CliError } from '../errors.js';
import { checkOciConf, type Step } from './check.js';
import type { RunAs } from './check-run.js';
import { readConfFile } from './lint-command.js';
import { accepted, lintOciConf } from './lint.js';
import { parseOciConf } from './parse.js';
import { resolveSlurmVersion } from './slurm-version.js';

type Args = { file: string; bundle: string; user?: string; slurmVersion?: string; timeout: number; format: string };

// Who the commands run as: yourself, or (as root) the --user account, looked up in the passwd database.
async function resolveUser(name?: string): Promise<{ user: { name: string; uid: number }; runAs?: RunAs }> {
  const me = os.userInfo();
  if (!name || name === me.username) return { user: { name: me.username, uid: me.uid } };
  if (me.uid !== 0)
    throw new CliError(`--user ${name} needs root (you are ${me.username})`, 2, 'run it as that user, or with sudo');
  const entry = await execa('getent', ['passwd', name], { reject: false });
  const fields = String(entry.stdout).split(':');
  if (entry.exitCode !== 0 || fields.length < 7) throw new CliError(`no such user: ${name}`, 2);
  const [uid, gid] = [Number(fields[2]), Number(fields[3])];
  return { user: { name, uid }, runAs: { uid, gid, home: fields[5], name } };
}

// One step as text: the expanded command, exit code, note and (the start of) its output.
function printStep(s: Step): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`[${s.ok ? ' ok ' : 'FAIL'}] ${s.phase} (${s.key})`);
  out(`  $ ${s.command}`);
  out(`  exit ${s.exitCode ?? '-'} (${s.seconds.toFixed(1)} s): ${s.note}`);
  for (const line of s.output.trimEnd().split('\n').filter(Boolean).slice(0, 20)) out(`  | ${line}`);
}

// The check runs `/bin/sh -c '... sleep 300'` in the container: say so up front when the bundle's
// rootfs lacks either, instead of a failed step that seems to blame the runtime or the id.
function assertBundleHasTools(bundle: string): void {
  if (!fs.existsSync(path.join(bundle, 'config.json'))) return;
  const root = (readBundleConfig(bundle).root as { path?: unknown } | undefined)?.path;
  if (typeof root !== 'string') return;
  const rootfs = path.resolve(bundle, root);
  const has = (p: string) => {
    try {
      return fs.existsSync(resolveInRootfs(rootfs, p));
    } catch {
      return false;
    }
  };
  const missing = [
    has('/bin/sh') ? [] : ['/bin/sh'],
    ['/bin/sleep', '/usr/bin/sleep'].some(has) ? [] : ['sleep'],
  ].flat();
  if (missing.length) {
    throw new CliError(
      `the bundle's rootfs ${rootfs} has no ${missing.join(' and no ')}: the check runs /bin/sh -c '... sleep 300' in the container`,
      2,
      'use a bundle with a shell and sleep, e.g. `slurm-oci bundle create DIR --image docker.io/library/busybox`',
    );
  }
}

// Lints, runs the check, prints; throws CliError(exit 1) when the verdict is FAIL.
export async function checkOciConfCommand(args: Args): Promise<void> {
  const text = readConfFile(args.file);
  if (!fs.existsSync(args.bundle))
    throw new CliError(
      `no bundle at ${args.bundle}`,
      2,
      'give --bundle an OCI bundle directory (config.json and rootfs)',
    );
  assertBundleHasTools(args.bundle);
  const { version } = await resolveSlurmVersion(args.slurmVersion);
  const findings = lintOciConf(text, { slurmVersion: version });
  if (!accepted(findings)) {
    const errors = findings.filter((f) => f.severity === 'error').map((f) => `line ${f.line}: ${f.message}`);
    throw new CliError(
      `${args.file} would be rejected by Slurm ${version}, so it was not run:\n  ${errors.join('\n  ')}`,
      1,
      `see \`slurm-oci lint oci-conf ${args.file}\``,
    );
  }
  const { user, runAs } = await resolveUser(args.user);
  const conf = parseOciConf(text);
  const asText = args.format !== 'json';
  if (asText)
    process.stdout.write(
      `${args.file}: ${typeof conf.RunTimeRun === 'string' ? 'run' : 'create/start'} mode, as ${user.name}, Slurm ${version} patterns\n`,
    );
  const report = await checkOciConf({
    conf,
    version,
    bundle: args.bundle,
    user,
    runAs,
    timeoutMs: args.timeout * 1000,
    onStep: asText ? printStep : undefined,
  });
  if (asText)
    process.stdout.write(
      `verdict: ${report.passed ? 'PASS: the runtime commands work outside Slurm' : 'FAIL: see the steps marked FAIL'}\n`,
    );
  else process.stdout.write(`${JSON.stringify({ file: args.file, slurmVersion: version, ...report }, null, 2)}\n`);
  if (!report.passed) throw new CliError(`${args.file}: the check failed`, 1);
}
