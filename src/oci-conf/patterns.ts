// Slurm's `%` replacements in RunTime*, ContainerPath and MountSpoolDir (_generate_pattern in
// slurmstepd's container.c): which letters each version knows, and their expansion for `check`.
import { atLeast, RUNTIME_KEYS, type SlurmVersion } from './keys.js';

// Pattern letters with the first release that expands them.
const LETTERS: Record<string, SlurmVersion> = {
  '%': '21.08',
  '@': '21.08',
  b: '21.08',
  e: '21.08',
  j: '21.08',
  n: '21.08',
  r: '21.08',
  s: '21.08',
  t: '21.08',
  u: '21.08',
  m: '23.02',
  p: '23.02',
  U: '23.02',
  Z: '26.05',
};

// The keys whose values Slurm pattern-expands (scrun never does).
export const PATTERN_KEYS = new Set<string>(['ContainerPath', 'MountSpoolDir', ...RUNTIME_KEYS]);

// A `%` slurmstepd would stop at: where, why, and how to fix it.
export type PatternProblem = { index: number; message: string; fix: string };

// Every `%` slurmstepd would reject (fatal "unexpected replacement character") in VERSION.
export function patternProblems(value: string, version: SlurmVersion): PatternProblem[] {
  const problems: PatternProblem[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '%') continue;
    const c = value[i + 1];
    if (c === undefined) {
      problems.push({
        index: i,
        message: 'trailing `%` (slurmstepd stops with "unexpected replacement character")',
        fix: 'write a literal percent sign as `%%`',
      });
    } else if (!(c in LETTERS)) {
      problems.push({
        index: i,
        message: `unknown pattern \`%${c}\` (slurmstepd stops with "unexpected replacement character")`,
        fix: 'write a literal percent sign as `%%`',
      });
    } else if (!atLeast(version, LETTERS[c])) {
      problems.push({
        index: i,
        message: `pattern \`%${c}\` needs Slurm ${LETTERS[c]} or later`,
        fix: `remove \`%${c}\` or target Slurm ${LETTERS[c]}+`,
      });
    }
    i++;
  }
  return problems;
}

// The letters a value uses (without `%%`), e.g. to ask "does Kill name the task id?".
export function patternLetters(value: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i < value.length - 1; i++) {
    if (value[i] === '%') {
      if (value[i + 1] !== '%') out.add(value[i + 1]);
      i++;
    }
  }
  return out;
}

// What the patterns stand for in one context: a task, or slurmstepd's cleanup (task = null).
export type PatternContext = {
  bundle: string;
  spoolDir: string;
  envFile: string;
  jobId: number;
  stepId: number;
  node: string;
  user: string;
  uid: number;
  rootfs: string;
  workDir: string;
  task: { id: number; pid: number; argv: string[] } | null;
};

// `%@`: each argument in single quotes with `'` written as `'"'"'`; no task gives "/bin/false".
const quoteArgv = (argv: string[]): string => argv.map((a) => `'${a.replaceAll("'", `'"'"'`)}'`).join(' ');

// Expands VALUE as slurmstepd would for CTX (no task: %t = -1, %p = 4294967295, %@ = "/bin/false").
export function expandPatterns(value: string, ctx: PatternContext): string {
  const t = ctx.task;
  const table: Record<string, string> = {
    '%': '%',
    '@': t ? quoteArgv(t.argv) : '"/bin/false"',
    b: ctx.bundle,
    e: ctx.envFile,
    j: String(ctx.jobId),
    m: ctx.spoolDir,
    n: ctx.node,
    p: String(t ? t.pid : 4294967295),
    r: ctx.rootfs,
    s: String(ctx.stepId),
    t: String(t ? t.id : -1),
    u: ctx.user,
    U: String(ctx.uid),
    Z: ctx.workDir,
  };
  return value.replace(/%(.)/gs, (whole, c: string) => table[c] ?? whole);
}
