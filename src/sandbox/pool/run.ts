// `slurm-oci sandbox front`: finds its workers (each `sandbox serve` announces itself in its own
// coordination directory under --workers-dir, or is given by --worker URL), waits until all are
// ready, serves the pool's one URL, polls the workers (death is noticed within seconds), and on
// SIGTERM/SIGINT or training_complete.flag stops: it tells every worker it found to stop (their
// own training_complete.flag), closes its server and returns.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from '../../errors.js';
import { freshKey, loadKeyFile } from '../auth.js';
import {
  announce,
  COMPLETE_FLAG,
  KEY_FILE,
  prepareDir,
  publicUrl,
  READY_FLAG,
  URL_FILE,
  watchForCompletion,
  writeKey,
} from '../coordination.js';
import { buildFront, Front } from './front.js';
import { Worker } from './workers.js';

export type FrontRunOptions = {
  host: string;
  port: number;
  publicHost?: string;
  // Workers announced in DIR/<node>/ (runtime_url.txt, runtime_api_key.txt, runtime_ready.flag) ...
  workersDir?: string;
  expectWorkers?: number;
  workersTimeout: number;
  // ... or given by URL, all with the key in workerKeyFile.
  workerUrls: string[];
  workerKeyFile?: string;
  apiKeyFile?: string;
  coordinationDir?: string;
  maxBodyBytes: number;
  pollInterval: number;
  logLevel: string;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function check(o: FrontRunOptions): void {
  const bad = (message: string, hint: string) => {
    throw new CliError(message, 2, hint);
  };
  if (!o.workersDir === !o.workerUrls.length)
    bad(
      'give either --workers-dir DIR or --worker URL (one per worker)',
      'the workflow passes --workers-dir; by hand, e.g. --worker http://n1:8001 --worker-key-file KEY',
    );
  if (o.workersDir && !(Number.isInteger(o.expectWorkers) && o.expectWorkers! >= 1))
    bad('--workers-dir needs --expect-workers N (N >= 1)', 'e.g. --expect-workers "$SLURM_JOB_NUM_NODES"');
  if (o.workerUrls.length && !o.workerKeyFile)
    bad(
      '--worker needs --worker-key-file (the API key the workers were started with)',
      'e.g. --worker-key-file ~/.sandbox.key',
    );
  for (const u of o.workerUrls)
    if (!/^https?:\/\/[^/\s]+$/.test(u))
      bad(`--worker ${u} is not a URL like http://HOST:PORT`, 'e.g. --worker http://n2:8001');
  if (!o.apiKeyFile && !o.coordinationDir)
    bad('no place for the API key', 'give --api-key-file FILE or --coordination-dir DIR');
  if (!(o.pollInterval > 0)) bad('--poll-interval must be > 0 seconds', 'e.g. --poll-interval 1');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) bad(`--port ${o.port} is not a port`, 'give 0-65535');
}

// Waits for EXPECT workers to be ready under DIR (a subdirectory per node); STOPPED ends the wait.
async function discover(
  dir: string,
  expect: number,
  timeoutMs: number,
  stopped: () => boolean,
  log: (line: string) => void,
): Promise<Worker[]> {
  const started = Date.now();
  let said = 0;
  for (;;) {
    const nodes = fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((n) => fs.existsSync(path.join(dir, n, READY_FLAG)))
          .sort()
      : [];
    if (nodes.length >= expect) {
      return nodes.map((node) => {
        const read = (file: string) => fs.readFileSync(path.join(dir, node, file), 'utf8').trim();
        return new Worker(node, read(URL_FILE), read(KEY_FILE));
      });
    }
    if (stopped()) throw new CliError('stopped while waiting for the sandbox workers', 1);
    if (Date.now() - started > timeoutMs) {
      throw new CliError(
        `only ${nodes.length} of ${expect} sandbox workers became ready in ${timeoutMs / 1000} s (ready: ${nodes.join(', ') || 'none'})`,
        1,
        "see the workers' log lines in the runtime job's .err file",
      );
    }
    if (Date.now() - said > 10_000) {
      said = Date.now();
      log(
        `waiting for sandbox workers: ${nodes.length} of ${expect} ready${nodes.length ? ` (${nodes.join(', ')})` : ''}`,
      );
    }
    await sleep(250);
  }
}

// Runs the front until it is told to stop.
export async function runFront(o: FrontRunOptions): Promise<void> {
  check(o);
  const { key } = o.apiKeyFile ? loadKeyFile(o.apiKeyFile) : { key: freshKey() };
  if (o.coordinationDir) {
    prepareDir(o.coordinationDir);
    writeKey(o.coordinationDir, key);
  }
  const shownHost = o.publicHost ?? (o.host === '0.0.0.0' || o.host === '::' ? os.hostname() : o.host);
  let url = '';
  const workers: Worker[] = [];
  const front = new Front({
    workers,
    apiKey: key,
    maxBodyBytes: o.maxBodyBytes,
    publicUrl: () => url,
    node: os.hostname(),
    logLevel: o.logLevel,
  });
  const app = buildFront(front);
  const log = app.log;

  let stopping = false;
  let wake = () => {};
  const stopRequested = new Promise<void>((resolve) => (wake = resolve));
  let reason = '';
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    reason = why;
    wake();
  };
  const onSignal = (signal: string) => stop(`received ${signal}`);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let stopWatching = () => {};
  let timer: NodeJS.Timeout | undefined;
  let failure: CliError | undefined;
  try {
    try {
      await app.listen({ host: o.host, port: o.port });
    } catch (error) {
      throw new CliError(
        `cannot listen on ${o.host}:${o.port}: ${(error as Error).message}`,
        1,
        'is the port free and the address one of this node?',
      );
    }
    const address = app.server.address();
    url = publicUrl(shownHost, typeof address === 'object' && address ? address.port : o.port, os.hostname());
    if (o.coordinationDir)
      stopWatching = watchForCompletion(o.coordinationDir, () => stop('training_complete.flag appeared'));
    if (o.workersDir) {
      workers.push(
        ...(await discover(
          o.workersDir,
          o.expectWorkers!,
          o.workersTimeout * 1000,
          () => stopping,
          (l) => log.info(l),
        )),
      );
    } else {
      const workerKey = loadKeyFile(o.workerKeyFile!).key;
      workers.push(...o.workerUrls.map((u) => new Worker(new URL(u).hostname, u, workerKey)));
    }
    await front.poll();
    const dead = workers.filter((w) => !w.up);
    if (dead.length)
      throw new CliError(
        `sandbox worker(s) not answering: ${dead.map((w) => `${w.node} ${w.url} (${w.reason})`).join('; ')}`,
        1,
      );
    let polling = false;
    timer = setInterval(async () => {
      if (polling) return;
      polling = true;
      for (const w of await front.poll().finally(() => (polling = false))) {
        log.error(
          `the sandbox worker on ${w.node} (${w.url}) died: ${w.reason}; its sandboxes are failed, new starts go to the others`,
        );
      }
    }, o.pollInterval * 1000);
    log.info(
      { url, workers: workers.map((w) => `${w.node}=${w.url}`) },
      `sandbox pool front ready with ${workers.length} worker(s)`,
    );
    if (o.coordinationDir && !stopping) announce(o.coordinationDir, url);
    await stopRequested;
  } catch (error) {
    failure = error instanceof CliError ? error : new CliError(`the pool front failed: ${(error as Error).message}`, 1);
    reason ||= `start-up failed: ${failure.message}`;
  }
  log.info(`stopping: ${reason}`);
  clearInterval(timer);
  stopWatching();
  // The workers stop on their own flag; the job script waits for them (and removes what a killed one left).
  if (o.workersDir && fs.existsSync(o.workersDir)) {
    for (const node of fs.readdirSync(o.workersDir)) {
      try {
        fs.writeFileSync(
          path.join(o.workersDir, node, COMPLETE_FLAG),
          `${new Date().toISOString()} the pool front stopped\n`,
        );
      } catch (error) {
        log.error(`could not tell the worker on ${node} to stop: ${(error as Error).message}`);
      }
    }
  }
  await app.close().catch((error: Error) => log.error({ err: error }, 'closing the HTTP server failed'));
  await Promise.all(workers.map((w) => w.close()));
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  log.info('stopped');
  if (failure) throw failure;
}
