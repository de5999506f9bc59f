// The readiness probe: a server is ready only once a sandbox of its default image really started
// and answered a command (a node without Podman, or with a broken runtime, never reports ready).
import type { Sandboxes } from './sandboxes.js';

// Starts a sandbox of the default image, runs `echo ready` in it, removes it; throws what went wrong.
export async function probe(sandboxes: Sandboxes, timeoutMs: number): Promise<void> {
  const s = await sandboxes.create({});
  try {
    const r = await sandboxes.exec(s.id, { command: ['echo', 'ready'], timeoutMs });
    if (r.exit_code !== 0 || r.stdout !== 'ready\n') {
      throw new Error(`a command in it gave exit code ${r.exit_code}: ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
    }
  } finally {
    await sandboxes.stop(s.id, 'the readiness probe is done').catch(() => {});
  }
}
