// The doctor report, for people (aligned columns, a fix under each problem) or scripts (JSON).
import type { CheckResult, Status } from './check.js';

// How many checks ended in each status.
export const summarize = (results: CheckResult[]): Record<Status, number> => {
  const counts: Record<Status, number> = { ok: 0, warn: 0, fail: 0, skip: 0 };
  for (const r of results) counts[r.status]++;
  return counts;
};

// The text report: one line per check, its fix indented below it.
export function textReport(results: CheckResult[], who: string): string {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = results.flatMap((r) => [
    `${(r.status === 'fail' ? 'FAIL' : r.status).padEnd(4)}  ${r.name.padEnd(width)}  ${r.detail}`,
    ...(r.fix && r.status !== 'ok' ? [`${' '.repeat(width + 8)}fix: ${r.fix}`] : []),
  ]);
  const s = summarize(results);
  return `slurm-oci doctor: ${who}\n${lines.join('\n')}\n${s.ok} ok, ${s.warn} warn, ${s.fail} fail, ${s.skip} skipped\n`;
}

// The JSON report: who, the checks, and the counts.
export const jsonReport = (results: CheckResult[], who: string): string =>
  `${JSON.stringify({ who, checks: results, summary: summarize(results) }, null, 2)}\n`;
