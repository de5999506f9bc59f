// `slurm-oci sandbox serve`: wires key, Podman driver, slot pool, registry, HTTP server, reaper and
// coordination files together; ready (and the ready flag) only after a probe sandbox answered; runs
// until SIGTERM/SIGINT or training_complete.flag; then removes every container it started, with a
// log line for each it could not, and returns. Any unexpected error on the way also ends in that
// shutdown, never in a half-stopped server.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../errors.js';
import { runtimePath } from '../host-config/runtime-paths.js';
import { freshKey, loadKeyFile } from './auth.js';
import { Builds } from './builds.js';
import { announce, prepareDir, publicUrl, watchForCompletion, writeKey } from './coordination.js';
import type { Driver } from './driver.js';
import { workerMetrics } from './metrics.js';
import { Podman, type PodmanOptions } from './podman.js';
import { Pool } from './pool.js';
import { probe } from './probe.js';
import { startReaper } from './reaper.js';
import { Sandboxes } from './sandboxes.js';
import { buildServer } from './server.js';
import { parseSize } from './size.js';

// The command line of `sandbox serve`, parsed (times in seconds).
export type ServeOptions = {
  host: string;
  port: number;
  // The host name in URLs given to clients (default: --host, or the node's name for 0.0.0.0).
  publicHost?: string;
  image: string;
  maxParallel: number;
  cpusPerWorker?: number;
  memoryPerWorker?: string;
  apiKeyFile?: string;
  coordinationDir?: string;
  idleTimeout: number;
  queueTimeout: number;
  execTimeout: number;
  startTimeout: number;
  maxOutputBytes: number;
  maxBodyBytes: number;
  maxUploadBytes: number;
  maxDownloadBytes: number;
  maxExecsPerSandbox: number;
  network: 'host' | 'private';
  readyStatus: 'running' | 'ready';
  registryPrefix: string;
  workspaceRoot?: string;
  runtime: string;
  // Local backends only: slurm-oci-runtime cannot exec into a container that runs as a Slurm job.
  backend?: 'crun' | 'runc';
  logLevel: string;
  // The value of its containers' label (default: random), so a job script can remove them if the server is killed.
  serverId?: string;
};

// Checks what yargs cannot, before anything is written or started.
function check(o: ServeOptions): void {
  const bad = (message: string, hint: string) => {
    throw new CliError(message, 2, hint);
  };
  const whole = (name: string, value: number, min: number) => {
    if (!Number.isInteger(value) || value < min)
      bad(`--${name} must be a whole number >= ${min}, not ${value}`, `e.g. --${name} ${Math.max(min, 4)}`);
  };
  whole('max-parallel', o.maxParallel, 1);
  whole('max-execs-per-sandbox', o.maxExecsPerSandbox, 1);
  whole('port', o.port, 0);
  if (o.port > 65535) bad(`--port ${o.port} is not a port`, 'give 0-65535 (0: any free port)');
  for (const [name, value] of [
    ['max-output-bytes', o.maxOutputBytes],
    ['max-body-bytes', o.maxBodyBytes],
    ['max-upload-bytes', o.maxUploadBytes],
    ['max-download-bytes', o.maxDownloadBytes],
  ] as const)
    whole(name, value, 1);
  for (const [name, value] of [
    ['idle-timeout', o.idleTimeout],
    ['queue-timeout', o.queueTimeout],
    ['exec-timeout', o.execTimeout],
    ['start-timeout', o.startTimeout],
  ] as const) {
    if (!(value >= 0) || !Number.isFinite(value))
      bad(`--${name} must be a number of seconds >= 0, not ${value}`, `e.g. --${name} 60`);
  }
  if (o.cpusPerWorker !== undefined && !(o.cpusPerWorker > 0))
    bad('--cpus-per-worker must be > 0', 'e.g. --cpus-per-worker 2');
  if (o.memoryPerWorker !== undefined && parseSize(o.memoryPerWorker) === undefined) {
    bad(
      `--memory-per-worker ${o.memoryPerWorker} is not a size`,
      'give a number with an optional unit b, k, m or g, e.g. 16g',
    );
  }
  if (!o.apiKeyFile && !o.coordinationDir) {
    bad(
      'no place for the API key',
      'give --api-key-file FILE (created with a fresh key if missing) or --coordination-dir DIR',
    );
  }
  if (o.backend && path.basename(o.runtime) !== 'slurm-oci-runtime') {
    bad(`--backend applies to slurm-oci-runtime only, not to ${o.runtime}`, 'drop --backend or --runtime');
  }
  if (o.serverId !== undefined && !/^[0-9a-f]{8,32}$/.test(o.serverId))
    bad(`--server-id ${o.serverId} is not 8-32 lowercase hex digits`, 'e.g. --server-id 0123abcd');
  if (o.workspaceRoot !== undefined && !path.isAbsolute(o.workspaceRoot))
    bad(`--workspace-root ${o.workspaceRoot} is not absolute`, 'give an absolute path');
}

// The API key: from --api-key-file (made there if missing), else fresh (it then reaches clients
// through the coordination directory only).
function apiKey(o: ServeOptions): { key: string; note: string } {
  if (!o.apiKeyFile) return { key: freshKey(), note: 'generated a fresh API key' };
  const { key, created } = loadKeyFile(o.apiKeyFile);
  return { key, note: created ? `wrote a fresh API key to ${o.apiKeyFile}` : `read the API key from ${o.apiKeyFile}` };
}

// Runs the server until it is told to stop. MAKEDRIVER is the seam unit tests use (no Podman there).
export async function serve(
  o: ServeOptions,
  makeDriver: (p: PodmanOptions) => Driver = (p) => new Podman(p),
): Promise<void> {
  check(o);
  const { key, note } = apiKey(o);
  if (o.coordinationDir) {
    prepareDir(o.coordinationDir);
    writeKey(o.coordinationDir, key);
  }
  const serverId = o.serverId ?? crypto.randomBytes(4).toString('hex');
  const prefix = `slurm-oci-sandbox-${serverId}`;
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'slurm-oci-sandbox-')); // 0700
  const runtime =
    o.runtime === 'default'
      ? undefined
      : o.runtime === 'slurm-oci-runtime'
        ? runtimePath('slurm-oci-runtime')
        : o.runtime;
  const backend = runtime && path.basename(runtime) === 'slurm-oci-runtime' ? (o.backend ?? 'crun') : undefined;
  const driver = makeDriver({
    serverId,
    ...(runtime ? { runtime } : {}),
    ...(backend ? { backend } : {}),
    workDir,
    maxOutputBytes: o.maxOutputBytes,
  });
  const memoryBytes = o.memoryPerWorker ? parseSize(o.memoryPerWorker) : undefined;
  const listenHost = o.host;
  const shownHost = o.publicHost ?? (listenHost === '0.0.0.0' || listenHost === '::' ? os.hostname() : listenHost);
  const sandboxes = new Sandboxes(driver, new Pool(o.maxParallel, o.queueTimeout * 1000), {
    prefix,
    defaultImage: o.image,
    defaultTimeoutMs: o.execTimeout * 1000,
    maxOutputBytes: o.maxOutputBytes,
    maxExecsPerSandbox: o.maxExecsPerSandbox,
    workDir,
    ...(o.cpusPerWorker ? { cpus: o.cpusPerWorker } : {}),
    ...(memoryBytes ? { memoryBytes } : {}),
    hostNetwork: o.network === 'host',
    publicHost: shownHost,
    startTimeoutMs: o.startTimeout * 1000,
  });
  let url = '';
  const app = buildServer({
    metrics: workerMetrics(os.hostname(), sandboxes),
    sandboxes,
    builds: new Builds(driver, workDir),
    apiKey: key,
    maxBodyBytes: o.maxBodyBytes,
    maxUploadBytes: o.maxUploadBytes,
    maxDownloadBytes: o.maxDownloadBytes,
    logLevel: o.logLevel,
    readyStatus: o.readyStatus,
    registryPrefix: o.registryPrefix,
    publicUrl: () => url,
    ...(o.workspaceRoot ? { workspaceRoot: path.resolve(o.workspaceRoot) } : {}),
  });

  // Shutdown: each step runs whatever the one before did; the result says what was left.
  let failure: CliError | undefined;
  let stopping: Promise<void> | undefined;
  let stopReaper = () => {};
  let stopWatching = () => {};
  let requested = () => {};
  const stopRequested = new Promise<void>((resolve) => (requested = resolve));
  const stop = (reason: string) =>
    (stopping ??= (async () => {
      requested();
      app.log.info(`stopping: ${reason}`);
      stopReaper();
      stopWatching();
      try {
        const { removed, left } = await sandboxes.shutdown();
        app.log.info(`removed ${removed} sandbox container(s)`);
        for (const l of left) app.log.error(`could not remove sandbox container ${l.name}: ${l.reason}`);
        if (left.length) {
          failure ??= new CliError(
            `${left.length} sandbox container(s) could not be removed (see the log)`,
            1,
            `remove them with: podman rm --force ${left.map((l) => l.name).join(' ')}`,
          );
        }
      } catch (error) {
        app.log.error({ err: error }, 'shutdown could not list or remove the sandboxes');
        failure ??= new CliError(`shutdown failed: ${(error as Error).message}`, 1);
      }
      await app.close().catch((error: Error) => app.log.error({ err: error }, 'closing the HTTP server failed'));
      fs.rmSync(workDir, { recursive: true, force: true });
      app.log.info('stopped');
    })());
  const onSignal = (signal: string) => void stop(`received ${signal}`);
  // A bug must not leave a half-stopped server that still answers: log it, shut down, exit non-zero.
  const onCrash = (error: unknown) => {
    app.log.error({ err: error }, 'internal error; shutting down');
    failure ??= new CliError(`internal error (please report it): ${(error as Error)?.stack ?? String(error)}`, 1);
    void stop('an internal error');
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    try {
      await app.listen({ host: listenHost, port: o.port });
    } catch (error) {
      throw new CliError(
        `cannot listen on ${listenHost}:${o.port}: ${(error as Error).message}`,
        1,
        'is the port free and the address one of this node?',
      );
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : o.port;
    url = publicUrl(shownHost, port, os.hostname());
    app.log.info(`listening on ${listenHost}:${port}; starting a probe sandbox of ${o.image}`);
    await probe(sandboxes, Math.min(o.execTimeout, 60) * 1000).catch((error: Error) => {
      throw new CliError(
        `not ready: a probe sandbox of ${o.image} failed: ${error.message}`,
        1,
        'run `slurm-oci doctor`; is Podman installed and the image present (podman images)?',
      );
    });
    app.log.info(
      { url, containers: `${prefix}-*`, runtime: runtime ?? "Podman's default", backend, maxParallel: o.maxParallel },
      `sandbox server ready (${note})`,
    );
    if (!stopping) {
      if (o.coordinationDir) {
        announce(o.coordinationDir, url);
        stopWatching = watchForCompletion(o.coordinationDir, () => void stop('training_complete.flag appeared'));
      }
      const checkEvery = Math.max(200, Math.min(5000, (o.idleTimeout * 1000) / 4 || 5000));
      stopReaper = startReaper(sandboxes, o.idleTimeout * 1000, checkEvery, app.log);
    }
    await stopRequested;
  } catch (error) {
    failure ??=
      error instanceof CliError ? error : new CliError(`the sandbox server failed: ${(error as Error).message}`, 1);
    void stop('start-up failed');
  }
  await finish();

  async function finish(): Promise<void> {
    await stopping;
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    if (failure) throw failure;
  }
}
