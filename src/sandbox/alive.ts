// Waiting for a sandbox's own server (OpenHands' action-execution server) to answer GET /alive with
// 200: tries quickly at first, backs off, checks between tries that the container still runs (one
// that exited fails the start at once), and gives up after a bound.

// The container exited before its server answered.
export class ExitedBeforeAliveError extends Error {}

// The server did not answer in time.
export class NotAliveError extends Error {}

export type AliveWait = {
  url: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  // Whether the container still runs (asked about once a second).
  running: () => Promise<boolean>;
  signal?: AbortSignal;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves once URL answers 200; rejects with ExitedBeforeAliveError, NotAliveError or SIGNAL's reason.
export async function waitAlive(w: AliveWait): Promise<void> {
  const deadline = Date.now() + w.timeoutMs;
  let pause = 50;
  let nextCheck = Date.now() + 1000;
  for (;;) {
    w.signal?.throwIfAborted();
    const ok = await fetch(w.url, { headers: w.headers ?? {}, signal: AbortSignal.timeout(2000) }).then(
      async (r) => {
        await r.body?.cancel();
        return r.status === 200;
      },
      () => false,
    );
    if (ok) return;
    if (Date.now() >= nextCheck) {
      nextCheck = Date.now() + 1000;
      if (!(await w.running()))
        throw new ExitedBeforeAliveError('the container exited before its server answered /alive');
    }
    if (Date.now() + pause > deadline) {
      throw new NotAliveError(`${w.url} did not answer 200 within ${Math.round(w.timeoutMs / 1000)} s`);
    }
    await sleep(pause);
    pause = Math.min(pause * 2, 500);
  }
}
