// `slurm-oci doctor`: runs the checks on this node as the current user, prints the report, and
// fails (exit 1) when any check failed, so it can gate a node in a health check or prolog.
import os from 'node:os';
import { CliError } from '../errors.js';
import { checks } from './checks/index.js';
import { Host } from './host.js';
import { jsonReport, textReport } from './report.js';
import { runChecks } from './run.js';

export async function doctor(args: { format: 'text' | 'json'; timeout: number; check?: string[] }): Promise<void> {
  const unknown = (args.check ?? []).filter((name) => !checks.some((c) => c.name === name));
  if (unknown.length) {
    throw new CliError(
      `unknown check ${unknown.join(', ')}`,
      2,
      `the checks are: ${checks.map((c) => c.name).join(', ')}`,
    );
  }
  const selected = args.check?.length ? checks.filter((c) => args.check!.includes(c.name)) : checks;
  const host = new Host(args.timeout * 1000);
  const results = await runChecks(selected, host);
  const who = `${host.user.username} (uid ${host.user.uid}) on ${os.hostname()}`;
  process.stdout.write(args.format === 'json' ? jsonReport(results, who) : textReport(results, who));
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length) throw new CliError(`${failed.length} check(s) failed: ${failed.map((r) => r.name).join(', ')}`, 1);
}
