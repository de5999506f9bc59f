// `slurm-oci sandbox serve`: options only; the server is imported when the command runs.
import type { Argv, CommandModule, InferredOptionTypes } from 'yargs';
import { numberOption } from '../options.js';

const options = {
  image: { type: 'string', demandOption: true, describe: 'Default image of a sandbox (a request may name another)' },
  host: {
    type: 'string',
    default: '127.0.0.1',
    describe: "Address to listen on (the workflow's runtime job passes the node's)",
  },
  port: numberOption('port', 'Port to listen on (0: any free port)', {
    default: 8000,
    integer: true,
    min: 0,
    max: 65535,
    what: 'a port',
  }),
  'public-host': {
    type: 'string',
    describe: 'Host name put in URLs handed to clients [default: --host, or the node name for 0.0.0.0]',
  },
  'max-parallel': numberOption('max-parallel', 'Sandboxes running at once; further starts wait', {
    default: 4,
    integer: true,
    min: 1,
  }),
  'queue-timeout': numberOption('queue-timeout', 'Seconds a start may wait for a slot before a 429', {
    default: 60,
    min: 0,
    what: 'seconds',
  }),
  'start-timeout': numberOption('start-timeout', "Seconds an OpenHands sandbox's server has to answer /alive", {
    default: 120,
    min: 1,
    what: 'seconds',
  }),
  'cpus-per-worker': numberOption('cpus-per-worker', 'CPU limit of each sandbox at resource_factor 1 (podman --cpus)', {
    min: 0.01,
    what: 'CPUs',
  }),
  'memory-per-worker': { type: 'string', describe: 'Memory limit of each sandbox at resource_factor 1, e.g. 16g' },
  'api-key-file': {
    type: 'string',
    describe: 'File holding the API key (0600, yours); created with a fresh key if missing',
  },
  'coordination-dir': {
    type: 'string',
    describe: 'Shared directory for the hand-shake with a training job (made or closed to 0700)',
  },
  'idle-timeout': numberOption('idle-timeout', 'Seconds unused before a sandbox is stopped (0: never)', {
    default: 1800,
    min: 0,
    what: 'seconds',
  }),
  'exec-timeout': numberOption('exec-timeout', 'Default seconds a command may run before it is killed', {
    default: 600,
    min: 0.001,
    what: 'seconds',
  }),
  'max-execs-per-sandbox': numberOption(
    'max-execs-per-sandbox',
    'Commands running at once in one sandbox; more get 429',
    { default: 16, integer: true, min: 1 },
  ),
  'max-output-bytes': numberOption('max-output-bytes', 'Bytes of stdout and of stderr kept per command', {
    default: 1 << 20,
    integer: true,
    min: 1,
    what: 'bytes',
  }),
  'max-body-bytes': numberOption('max-body-bytes', 'Largest JSON request body (413 beyond)', {
    default: 8 << 20,
    integer: true,
    min: 1,
    what: 'bytes',
  }),
  'max-upload-bytes': numberOption('max-upload-bytes', 'Largest file upload or build context (413 beyond)', {
    default: 256 << 20,
    integer: true,
    min: 1,
    what: 'bytes',
  }),
  'max-download-bytes': numberOption('max-download-bytes', 'Largest file download (413 beyond)', {
    default: 256 << 20,
    integer: true,
    min: 1,
    what: 'bytes',
  }),
  network: {
    choices: ['host', 'private'] as const,
    default: 'host',
    describe:
      "Sandboxes' network unless a start sets use_host_network: the node's, or their own with ports published (needs pasta or slirp4netns)",
  },
  'ready-status': {
    choices: ['running', 'ready'] as const,
    default: 'running',
    describe: "pod_status of a ready sandbox: 'running' for SkyRL-OpenHands' client, 'ready' for upstream OpenHands'",
  },
  'registry-prefix': {
    type: 'string',
    default: 'localhost/slurm-oci',
    describe: 'What GET /registry_prefix answers (where built images are named)',
  },
  'workspace-root': {
    type: 'string',
    describe: 'Host directory under which /start may mount a workspace_mount_path (default: none allowed)',
  },
  runtime: {
    type: 'string',
    default: 'slurm-oci-runtime',
    describe: "OCI runtime for Podman: slurm-oci-runtime (this package's), a path, or 'default' (containers.conf)",
  },
  backend: {
    choices: ['crun', 'runc'] as const,
    describe: 'Backend of slurm-oci-runtime [default: crun] (not scrun: it has no exec)',
  },
  'server-id': {
    type: 'string',
    describe:
      'Label value of its containers (8-32 hex digits) [default: random]; lets a job script remove them if the server is killed',
  },
  'log-level': { choices: ['debug', 'info', 'warn', 'error'] as const, default: 'info' },
} as const;

const builder = (y: Argv) =>
  y
    .usage('$0 sandbox serve --image IMAGE [options]')
    .epilog(
      `Runs an HTTP server that starts one rootless Podman container per sandbox, each with its own
PID, IPC and UTS namespaces whatever containers.conf says, and CPU and memory limits.
Every request but GET /health needs the API key in the X-API-Key header. Ready (and the
ready flag written) only once a probe sandbox of --image has run a command.

OpenHands remote-runtime API (SANDBOX_REMOTE_RUNTIME_API_URL of a SkyRL/OpenHands trainer):
POST /start {image, command, working_dir, environment, session_id, resource_factor, ...}
starts the command (its argument 88888888 becomes the sandbox's port; env port and
VSCODE_PORT are set) and answers once http://HOST:PORT/alive answers 200, with
{runtime_id, url, work_hosts, session_api_key}; the client then talks to that url.
POST /stop, /pause, /resume {runtime_id}; GET /runtime/ID, /sessions/SID, /list,
/registry_prefix, /image_exists?image=; POST /build (multipart) and GET /build_status.

Simple API: POST /sandboxes {image?, env?, workdir?} -> 201 {id, session_api_key};
GET /sandboxes; GET|DELETE /sandboxes/ID; POST /sandboxes/ID/exec {command: [argv],
timeout?, stdin?, env?, workdir?} -> {exit_code, stdout, stderr, timed_out, ...};
PUT|GET /sandboxes/ID/files?path=/abs (application/octet-stream). Commands run through a
resident shell in the sandbox (no podman exec per command).

With --coordination-dir DIR it writes DIR/runtime_url.txt, DIR/runtime_api_key.txt (0600)
and then DIR/runtime_ready.flag, and stops when DIR/training_complete.flag appears.
SIGTERM or SIGINT, too, remove every container it started and exit 0 (1 if one could not
be removed: the log names it). Logs are JSON lines.`,
    )
    .options(options)
    .example('$0 sandbox serve --image localhost/busybox --api-key-file ~/.sandbox.key', 'serve on 127.0.0.1:8000')
    .example(
      '$0 sandbox serve --image IMG --host "$(hostname -i)" --cpus-per-worker 2 --memory-per-worker 4g --coordination-dir DIR',
      'the runtime job of the training workflow',
    );

type Args = InferredOptionTypes<typeof options>;

export default {
  command: 'serve',
  describe: 'Run the sandbox server (OpenHands remote-runtime API, exec and files over HTTP)',
  builder,
  handler: async (argv: Args) => {
    const { serve } = await import('../../sandbox/serve.js');
    await serve({
      host: argv.host,
      port: argv.port,
      image: argv.image,
      maxParallel: argv['max-parallel'],
      queueTimeout: argv['queue-timeout'],
      startTimeout: argv['start-timeout'],
      idleTimeout: argv['idle-timeout'],
      execTimeout: argv['exec-timeout'],
      maxExecsPerSandbox: argv['max-execs-per-sandbox'],
      maxOutputBytes: argv['max-output-bytes'],
      maxBodyBytes: argv['max-body-bytes'],
      maxUploadBytes: argv['max-upload-bytes'],
      maxDownloadBytes: argv['max-download-bytes'],
      network: argv.network,
      readyStatus: argv['ready-status'],
      registryPrefix: argv['registry-prefix'],
      runtime: argv.runtime,
      logLevel: argv['log-level'],
      ...(argv['public-host'] !== undefined ? { publicHost: argv['public-host'] } : {}),
      ...(argv['workspace-root'] !== undefined ? { workspaceRoot: argv['workspace-root'] } : {}),
      ...(argv['cpus-per-worker'] !== undefined ? { cpusPerWorker: argv['cpus-per-worker'] } : {}),
      ...(argv['memory-per-worker'] !== undefined ? { memoryPerWorker: argv['memory-per-worker'] } : {}),
      ...(argv['api-key-file'] !== undefined ? { apiKeyFile: argv['api-key-file'] } : {}),
      ...(argv['coordination-dir'] !== undefined ? { coordinationDir: argv['coordination-dir'] } : {}),
      ...(argv.backend !== undefined ? { backend: argv.backend } : {}),
      ...(argv['server-id'] !== undefined ? { serverId: argv['server-id'] } : {}),
    });
  },
} satisfies CommandModule<object, Args>;
