// `slurm-oci sandbox serve`: options only; the server is imported when the command runs.
import type { Argv, CommandModule, InferredOptionTypes } from 'yargs';

const options = {
  image: { type: 'string', demandOption: true, describe: 'Default image of a sandbox (a request may name another)' },
  host: {
    type: 'string',
    default: '127.0.0.1',
    describe: "Address to listen on (the workflow's runtime job passes the node's)",
  },
  port: { type: 'number', default: 8000, describe: 'Port to listen on (0: any free port)' },
  'public-host': {
    type: 'string',
    describe: 'Host name put in URLs handed to clients [default: --host, or the node name for 0.0.0.0]',
  },
  'max-parallel': { type: 'number', default: 4, describe: 'Sandboxes running at once; further starts wait' },
  'queue-timeout': { type: 'number', default: 60, describe: 'Seconds a start may wait for a slot before a 429' },
  'start-timeout': {
    type: 'number',
    default: 120,
    describe: "Seconds an OpenHands sandbox's server has to answer /alive",
  },
  'cpus-per-worker': { type: 'number', describe: 'CPU limit of each sandbox at resource_factor 1 (podman --cpus)' },
  'memory-per-worker': { type: 'string', describe: 'Memory limit of each sandbox at resource_factor 1, e.g. 16g' },
  'api-key-file': {
    type: 'string',
    describe: 'File holding the API key (0600, yours); created with a fresh key if missing',
  },
  'coordination-dir': {
    type: 'string',
    describe: 'Shared directory for the hand-shake with a training job (made or closed to 0700)',
  },
  'idle-timeout': { type: 'number', default: 1800, describe: 'Seconds unused before a sandbox is stopped (0: never)' },
  'exec-timeout': { type: 'number', default: 600, describe: 'Default seconds a command may run before it is killed' },
  'max-execs-per-sandbox': {
    type: 'number',
    default: 16,
    describe: 'Commands running at once in one sandbox; more get 429',
  },
  'max-output-bytes': { type: 'number', default: 1 << 20, describe: 'Bytes of stdout and of stderr kept per command' },
  'max-body-bytes': { type: 'number', default: 8 << 20, describe: 'Largest JSON request body (413 beyond)' },
  'max-upload-bytes': {
    type: 'number',
    default: 256 << 20,
    describe: 'Largest file upload or build context (413 beyond)',
  },
  'max-download-bytes': { type: 'number', default: 256 << 20, describe: 'Largest file download (413 beyond)' },
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
