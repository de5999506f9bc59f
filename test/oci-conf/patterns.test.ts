// `%` patterns: which letters each version knows, and the expansion `check` uses.
import { describe, expect, test } from '@jest/globals';
import { expandPatterns, patternLetters, patternProblems, type PatternContext } from '../../src/oci-conf/patterns.js';

const ctx: PatternContext = {
  bundle: '/spool/task-0',
  spoolDir: '/spool',
  envFile: '/spool/task-0/environment',
  jobId: 42,
  stepId: 7,
  node: 'n1',
  user: 'alice',
  uid: 1000,
  rootfs: '/b/rootfs',
  workDir: '/home/alice',
  task: { id: 2, pid: 555, argv: ['sh', '-c', "echo 'hi'"] },
};

describe('patternProblems', () => {
  test('unknown, trailing and too-new letters', () => {
    expect(patternProblems('a %x', '24.11')[0].message).toMatch(/unknown pattern `%x`/);
    expect(patternProblems('a %', '24.11')[0].message).toMatch(/trailing/);
    expect(patternProblems('%U', '22.05')[0].message).toMatch(/needs Slurm 23.02/);
    expect(patternProblems('%Z', '25.11')[0].message).toMatch(/needs Slurm 26.05/);
    expect(patternProblems('%Z %% %@ %b %e %j %m %n %p %r %s %t %u %U', '26.05')).toEqual([]);
  });
  test('%% is a literal percent, not the start of a pattern', () => {
    expect(patternProblems('date +%%s', '21.08')).toEqual([]);
    expect(patternLetters('%%t %n')).toEqual(new Set(['n']));
  });
});

describe('expandPatterns', () => {
  test('task context', () => {
    expect(expandPatterns('%n.%u.%j.%s.%t %b %m %e %r %U %p %Z 100%%', ctx)).toBe(
      'n1.alice.42.7.2 /spool/task-0 /spool /spool/task-0/environment /b/rootfs 1000 555 /home/alice 100%',
    );
  });
  test("%@ quotes each argument, with embedded single quotes written as '\"'\"'", () => {
    expect(expandPatterns('run %@', ctx)).toBe(`run 'sh' '-c' 'echo '"'"'hi'"'"''`);
  });
  test('cleanup context: %t is -1, %p is 4294967295, %@ is "/bin/false"', () => {
    expect(expandPatterns('%t %p %@', { ...ctx, task: null })).toBe('-1 4294967295 "/bin/false"');
  });
});
