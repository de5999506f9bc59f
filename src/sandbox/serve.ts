// `slurm-oci sandbox serve`: wires key, Podman driver, slot pool, registry, HTTP server, reaper and
// coordination files together, and runs until SIGTERM/SIGINT or training_complete.flag; then it
// removes every container it started and returns (exit 0).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../errors.js';
import { runtimePath } from '../host-config/runtime-paths.js';
import { freshKey, loadKeyFile, readableByOthers } from './auth.js';
import { announce, prepareDir, publicUrl, watchForCompletion, writeKey } from './coordination.js';
import { Podman } from './podman.js';
import { Pool } from './pool.js';
import { startReaper } from './reaper.js';
import { Sandboxes } from './sandboxes.js';
import { buildServer } from './server.js';

// The command line of `sandbox serve`, parsed (times in seconds).
export type ServeOptions = {
  host: string;
  port: number;
  image: string;
  maxParallel: number;
  cpusPerWorker?: number;
  memoryPerWorker?: string;
  apiKeyFile?: string;
  coordinationDir?: string;
  idleTimeout: number;
  queueTimeout: number;
  execTimeout: number;
  maxOutputBytes: number;
  maxBodyBytes: number;
  maxUploadBytes: number;
  runtime: string;
  // Local backends only: slurm-oci-runtime cannot exec into a container that runs as a Slurm job.
  backend?: 'crun' | 'runc';
  logLevel: string;
};

// Checks what yargs cannot, before anything is written or started.
function check(o: ServeOptions): void {
  const bad = (message: string, hint: string) => {
    throw new CliError(message, 2, hint);
  };
  if (!Number.isInteger(o.maxParallel) || o.maxParallel < 1) bad('--max-parallel must be a whole number >= 1', 'e.g. --max-parallel 4');
  if (o.cpusPerWorker !== undefined && !(o.cpusPerWorker > 0)) bad('--cpus-per-worker must be > 0', 'e.g. --cpus-per-worker 2');
  if (o.memoryPerWorker !== undefined && !/^[0-9]+[bkmg]?$/i.test(o.memoryPerWorker)) {
    bad(`--memory-per-worker ${o.memoryPerWorker} is not a size`, 'give a number with an optional unit b, k, m or g, e.g. 16g');
  }
  if (!o.apiKeyFile && !o.coordinationDir) {
    bad('no place for the API key', 'give --api-key-file FILE (created with a fresh key if missing) or --coordination-dir DIR');
  }
  if (o.backend && path.basename(o.runtime) !== 'slurm-oci-runtime') {
    bad(`--backend applies to slurm-oci-runtime only, not to ${o.runtime}`, 'drop --backend or --runtime');
  }
}

// The API key: from --api-key-file (made there if missing), else fresh (it then reaches clients
// through the coordination directory only).
function apiKey(o: ServeOptions): { key: string; note: string } {
  if (!o.apiKeyFile) return { key: freshKey(), note: 'generated a fresh API key' };
  const { key, created } = loadKeyFile(o.apiKeyFile);
  if (created) return { key, note: `wrote a fresh API key to ${o.apiKeyFile}` };
  const loose = readableByOthers(o.apiKeyFile) ? ` (warning: other users can read it; chmod 600 ${o.apiKeyFile})` : '';
  return { key, note: `read the API key from ${o.apiKeyFile}${loose}` };
}

// Runs the server until it is told to stop.
export async function serve(o: ServeOptions): Promise<void> {
  check(o);
  const { key, note } = apiKey(o);
  if (o.coordinationDir) {
    prepareDir(o.coordinationDir);
    writeKey(o.coordinationDir, key);
  }
  const serverId = crypto.randomBytes(4).toString('hex');
  const prefix = `slurm-oci-sandbox-${serverId}`;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-oci-sandbox-')); // 0700
  const runtime = o.runtime === 'default' ? undefined : o.runtime === 'slurm-oci-runtime' ? runtimePath('slurm-oci-runtime') : o.runtime;
  const backend = runtime && path.basename(runtime) === 'slurm-oci-runtime' ? (o.backend ?? 'crun') : undefined;
  const driver = new Podman({
    serverId,
    ...(runtime ? { runtime } : {}),
    ...(backend ? { backend } : {}),
    ...(o.cpusPerWorker ? { cpus: o.cpusPerWorker } : {}),
    ...(o.memoryPerWorker ? { memory: o.memoryPerWorker } : {}),
    workDir,
    maxOutputBytes: o.maxOutputBytes,
    keepAlive: ['sleep', 'infinity'],
  });
  const pool = new Pool(o.maxParallel, o.queueTimeout * 1000);
  const sandboxes = new Sandboxes(driver, pool, { prefix, defaultImage: o.image, defaultTimeoutMs: o.execTimeout * 1000 });
  const app = buildServer({ sandboxes, apiKey: key, maxBodyBytes: o.maxBodyBytes, maxUploadBytes: o.maxUploadBytes, logLevel: o.logLevel });

  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let stopping: Promise<void> | undefined;
  let stopReaper = () => {};
  let stopWatching = () => {};
  const stop = (reason: string) =>
    (stopping ??= (async () => {
      app.log.info(`stopping: ${reason}`);
      stopReaper();
      stopWatching();
      try {
        const removed = await sandboxes.shutdown();
        app.log.info(`removed ${removed} sandbox container(s)`);
        await app.close();
      } finally {
        fs.rmSync(workDir, { recursive: true, force: true });
        resolveDone();
      }
    })());
  const onSignal = (signal: string) => void stop(`received ${signal}`).catch(() => {});
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await app.listen({ host: o.host, port: o.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : o.port;
    const url = publicUrl(o.host, port, os.hostname());
    const local = o.host === '0.0.0.0' ? '127.0.0.1' : o.host === '::' ? '::1' : o.host;
    const health = await fetch(`${publicUrl(local, port, '')}/health`);
    if (!health.ok) throw new Error(`the server's own /health answered ${health.status}`);
    app.log.info(
      { url, containers: `${prefix}-*`, runtime: runtime ?? "Podman's default", backend, maxParallel: o.maxParallel },
      `sandbox server ready (${note})`,
    );
    if (o.coordinationDir) {
      announce(o.coordinationDir, url);
      stopWatching = watchForCompletion(o.coordinationDir, () => void stop('training_complete.flag appeared').catch(() => {}));
    }
    const checkEvery = Math.max(200, Math.min(5000, (o.idleTimeout * 1000) / 4 || 5000));
    stopReaper = startReaper(sandboxes, o.idleTimeout * 1000, checkEvery, app.log);
  } catch (error) {
    void stop('start-up failed').catch(() => {});
    await done;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    throw new CliError(`the sandbox server could not start: ${(error as Error).message}`, 1, 'is the port free and the host address local?');
  }
  await done;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await stopping;
}
