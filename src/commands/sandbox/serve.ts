// `slurm-oci sandbox serve`: options only; the server is imported when the command runs.
import type { Argv, CommandModule, InferredOptionTypes } from 'yargs';

const options = {
  image: { type: 'string', demandOption: true, describe: 'Default image of a sandbox (a request may name another)' },
  host: { type: 'string', default: '0.0.0.0', describe: 'Address to listen on' },
  port: { type: 'number', default: 8000, describe: 'Port to listen on (0: any free port)' },
  'max-parallel': { type: 'number', default: 4, describe: 'Sandboxes running at once; further starts wait' },
  'queue-timeout': { type: 'number', default: 60, describe: 'Seconds a start may wait for a slot before a 429' },
  'cpus-per-worker': { type: 'number', describe: 'CPU limit of each sandbox (podman --cpus)' },
  'memory-per-worker': { type: 'string', describe: 'Memory limit of each sandbox (podman --memory), e.g. 16g' },
  'api-key-file': { type: 'string', describe: 'File holding the API key; created (0600) with a fresh key if missing' },
  'coordination-dir': { type: 'string', describe: 'Shared directory for the hand-shake with a training job' },
  'idle-timeout': { type: 'number', default: 1800, describe: 'Seconds unused before a sandbox is stopped (0: never)' },
  'exec-timeout': { type: 'number', default: 600, describe: 'Default seconds a command may run before it is killed' },
  'max-output-bytes': { type: 'number', default: 1 << 20, describe: 'Bytes of stdout and of stderr kept per command' },
  'max-body-bytes': { type: 'number', default: 8 << 20, describe: 'Largest JSON request body (413 beyond)' },
  'max-upload-bytes': { type: 'number', default: 256 << 20, describe: 'Largest file upload (413 beyond)' },
  runtime: {
    type: 'string',
    default: 'slurm-oci-runtime',
    describe: "OCI runtime for Podman: slurm-oci-runtime (this package's), a path, or 'default' (containers.conf)",
  },
  backend: {
    choices: ['crun', 'runc'] as const,
    describe: 'Backend of slurm-oci-runtime [default: crun] (not scrun: it has no exec)',
  },
  'log-level': { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' },
} as const;

const builder = (y: Argv) =>
  y
    .usage('$0 sandbox serve --image IMAGE [options]')
    .epilog(
      `Runs an HTTP server that starts one rootless Podman container per sandbox (host network,
CPU and memory limits per worker) through slurm-oci-runtime, and runs commands in them.
Every request but GET /health needs the API key in the X-API-Key header.

API: GET /health; POST /sandboxes {image?, env?, workdir?} -> 201 {id, session_api_key};
GET /sandboxes; GET|DELETE /sandboxes/ID; POST /sandboxes/ID/exec {command: [argv],
timeout?, stdin?, env?, workdir?} -> {exit_code, stdout, stderr, timed_out, ...};
PUT|GET /sandboxes/ID/files?path=/abs (application/octet-stream). OpenHands runtime-API
aliases: POST /start, POST /stop, GET /runtime/ID, GET /sessions/SID, GET /image_exists.

With --coordination-dir DIR it writes DIR/runtime_url.txt, DIR/runtime_api_key.txt (0600)
and then DIR/runtime_ready.flag, and stops when DIR/training_complete.flag appears.
SIGTERM or SIGINT, too, remove every container it started and exit 0. Logs are JSON lines.`,
    )
    .options(options)
    .example('$0 sandbox serve --image localhost/busybox --api-key-file ~/.sandbox.key --port 8000', 'serve on port 8000')
    .example(
      '$0 sandbox serve --image IMG --cpus-per-worker 8 --memory-per-worker 16g --coordination-dir DIR',
      'the runtime job of the training workflow',
    );

type Args = InferredOptionTypes<typeof options>;

export default {
  command: 'serve',
  describe: 'Run the sandbox server (containers, exec and files over HTTP)',
  builder,
  handler: async (argv: Args) => {
    const { serve } = await import('../../sandbox/serve.js');
    await serve({
      host: argv.host,
      port: argv.port,
      image: argv.image,
      maxParallel: argv['max-parallel'],
      queueTimeout: argv['queue-timeout'],
      idleTimeout: argv['idle-timeout'],
      execTimeout: argv['exec-timeout'],
      maxOutputBytes: argv['max-output-bytes'],
      maxBodyBytes: argv['max-body-bytes'],
      maxUploadBytes: argv['max-upload-bytes'],
      runtime: argv.runtime,
      logLevel: argv['log-level'],
      ...(argv['cpus-per-worker'] !== undefined ? { cpusPerWorker: argv['cpus-per-worker'] } : {}),
      ...(argv['memory-per-worker'] !== undefined ? { memoryPerWorker: argv['memory-per-worker'] } : {}),
      ...(argv['api-key-file'] !== undefined ? { apiKeyFile: argv['api-key-file'] } : {}),
      ...(argv['coordination-dir'] !== undefined ? { coordinationDir: argv['coordination-dir'] } : {}),
      ...(argv.backend !== undefined ? { backend: argv.backend } : {}),
    });
  },
} satisfies CommandModule<object, Args>;
