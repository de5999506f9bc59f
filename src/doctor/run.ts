// Runs checks concurrently, each within the time limit: a check that has not answered by then
// is reported as failed (its subprocesses are killed by Host), so doctor always finishes.
import type { Check, CheckResult } from './check.js';
import type { Host } from './host.js';

// Runs CHECKS on HOST; results keep the checks' order.
export function runChecks(checks: Check[], host: Host): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (check): Promise<CheckResult> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<CheckResult>((resolve) => {
        timer = setTimeout(
          () =>
            resolve({
              name: check.name,
              status: 'fail',
              detail: `did not finish in ${host.timeoutMs / 1000} s`,
              fix: 'something on this node hangs (a stuck mount, munged, podman): run the check by hand, or raise --timeout',
            }),
          host.timeoutMs + 2000,
        );
      });
      const work = check.run(host).then(
        (finding) => ({ name: check.name, ...finding }),
        (error: unknown) => ({
          name: check.name,
          status: 'fail' as const,
          detail: `the check itself failed: ${String(error)}`,
          fix: 'please report this',
        }),
      );
      try {
        return await Promise.race([work, late]);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
