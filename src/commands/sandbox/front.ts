// `slurm-oci sandbox front`: options only; the front is imported when the command runs.
import type { Argv, CommandModule } from 'yargs';
import { numberOption, type OptionsOf } from '../options.js';

const options = {
  host: {
    type: 'string',
    default: '127.0.0.1',
    describe: "Address to listen on (the workflow's runtime job passes the first node's)",
  },
  port: numberOption('port', 'Port to listen on (0: any free port)', {
    integer: true,
    min: 0,
    max: 65535,
    default: 8000,
    what: 'a port',
  }),
  'public-host': {
    type: 'string',
    describe: 'Host name put in the URL handed to clients [default: --host, or the node name for 0.0.0.0]',
  },
  'workers-dir': {
    type: 'string',
    describe: 'Directory where each worker (sandbox serve --coordination-dir DIR/NODE) announces itself',
  },
  'expect-workers': numberOption(
    'expect-workers',
    'Workers to wait for under --workers-dir before the front is ready',
    { integer: true, min: 1 },
  ),
  'workers-timeout': numberOption('workers-timeout', 'Seconds to wait for the workers to be ready', {
    min: 0,
    default: 600,
    what: 'seconds',
  }),
  worker: {
    type: 'string',
    array: true,
    default: [] as string[],
    describe: 'A worker URL, http://HOST:PORT (repeat per worker; instead of --workers-dir)',
  },
  'worker-key-file': { type: 'string', describe: 'The API key file the --worker servers use' },
  'api-key-file': {
    type: 'string',
    describe: "The front's own API key file (0600, yours); created with a fresh key if missing",
  },
  'coordination-dir': {
    type: 'string',
    describe: 'Shared directory for the hand-shake with a training job (runtime_url.txt, key, ready flag)',
  },
  'poll-interval': numberOption(
    'poll-interval',
    "Seconds between polls of each worker's slots (3 missed polls: the worker is dead)",
    { min: 0.05, default: 1, what: 'seconds' },
  ),
  'max-body-bytes': numberOption('max-body-bytes', 'Largest request body passed on (uploads included)', {
    integer: true,
    min: 1,
    default: 256 << 20,
  }),
  'log-level': { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' },
} as const;

const builder = (y: Argv) =>
  y
    .usage('$0 sandbox front (--workers-dir DIR --expect-workers N | --worker URL... --worker-key-file F) [options]')
    .epilog(
      `Serves one URL for sandbox servers (workers) on several nodes, with the same API as one
server. A start (POST /start, POST /sandboxes) goes to the worker with the most free slots,
preferring one that already has the image; the answer's url is the worker node's own address,
and it names the node. /stop, /pause, /resume, /runtime/ID, /sessions/SID and /sandboxes/ID/...
go to the sandbox's worker; /list and GET /sandboxes merge all workers. A worker that stops
answering is dead: its sandboxes report failed, new starts go to the others.
GET /health (no key) lists the workers and their slots; GET /metrics (no key) is Prometheus text.

With --coordination-dir DIR it writes DIR/runtime_url.txt, DIR/runtime_api_key.txt and then
DIR/runtime_ready.flag once every worker is ready, and stops when DIR/training_complete.flag
appears; on stopping it writes training_complete.flag into each worker's directory.`,
    )
    .options(options)
    .example(
      '$0 sandbox front --host "$addr" --port 8000 --workers-dir "$dir/workers" --expect-workers 3 --coordination-dir "$dir"',
      "the runtime job's front (RUNTIME_NODES=3)",
    )
    .example(
      '$0 sandbox front --worker http://n1:8001 --worker http://n2:8001 --worker-key-file ~/.sandbox.key --api-key-file ~/.front.key',
      'by hand',
    );

type Args = OptionsOf<typeof builder>;

export default {
  command: 'front',
  describe: 'Serve one URL for sandbox servers on several nodes (placement, proxy, merged views)',
  builder,
  handler: async (argv: Args) => {
    const { runFront } = await import('../../sandbox/pool/run.js');
    await runFront({
      host: argv.host,
      port: argv.port,
      workersTimeout: argv['workers-timeout'],
      workerUrls: argv.worker,
      maxBodyBytes: argv['max-body-bytes'],
      pollInterval: argv['poll-interval'],
      logLevel: argv['log-level'],
      ...(argv['public-host'] !== undefined ? { publicHost: argv['public-host'] } : {}),
      ...(argv['workers-dir'] !== undefined ? { workersDir: argv['workers-dir'] } : {}),
      ...(argv['expect-workers'] !== undefined ? { expectWorkers: argv['expect-workers'] } : {}),
      ...(argv['worker-key-file'] !== undefined ? { workerKeyFile: argv['worker-key-file'] } : {}),
      ...(argv['api-key-file'] !== undefined ? { apiKeyFile: argv['api-key-file'] } : {}),
      ...(argv['coordination-dir'] !== undefined ? { coordinationDir: argv['coordination-dir'] } : {}),
    });
  },
} satisfies CommandModule<object, Args>;
