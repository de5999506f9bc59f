// The periodic check: notices containers that died (their slots free up) and stops sandboxes left
// idle longer than --idle-timeout.
import type { FastifyBaseLogger } from 'fastify';
import type { Sandboxes } from './sandboxes.js';

// Starts checking every INTERVALMS; IDLEMS 0 turns reaping off. Returns a function that stops it.
export function startReaper(
  sandboxes: Sandboxes,
  idleMs: number,
  intervalMs: number,
  log: FastifyBaseLogger,
): () => void {
  let running = false;
  const tick = async () => {
    if (running) return; // a slow podman must not pile up checks
    running = true;
    try {
      await sandboxes.refresh();
      if (idleMs > 0) {
        const reaped = await sandboxes.reapIdle(idleMs);
        if (reaped.length) log.info({ sandboxes: reaped }, `stopped ${reaped.length} idle sandbox(es)`);
      }
    } catch (error) {
      log.warn({ err: error }, 'sandbox check failed');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  return () => clearInterval(timer);
}
