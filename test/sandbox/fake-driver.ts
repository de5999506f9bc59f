// A stand-in for Podman in unit tests: the machine running `npm test` has no Podman (the real
// driver is exercised on the cluster by test/e2e/sandbox*.test.ts). Containers are entries in a map,
// but a sandbox that runs the agent gets the real agent script under the host's `sh`, on the
// directory the registry mounts, so exec goes through the real channel; a command
// ['alive-server', PORT] stands for an OpenHands action-execution server (HTTP /alive on PORT);
// `podman exec` (sandboxes without an agent) echoes its request back as JSON.
import http from 'node:http';
import { Readable } from 'node:stream';
import { execa, type ResultPromise } from 'execa';
import { AGENT_DIR, AGENT_SCRIPT } from '../../src/sandbox/agent/script.js';
import {
  NoSuchFileError,
  NotRunningError,
  type ContainerState,
  type Driver,
  type ExecRequest,
  type ExecResult,
  type FileOut,
  type ImageInfo,
  type Leftover,
  type RunSpec,
} from '../../src/sandbox/driver.js';

type Fake = {
  spec: RunSpec;
  running: boolean;
  files: Map<string, Buffer>;
  agent?: ResultPromise;
  server?: http.Server;
};

export class FakeDriver implements Driver {
  readonly containers = new Map<string, Fake>();
  readonly removed: string[] = [];
  // Containers whose `hang` command was aborted because the client went away.
  readonly aborted: string[] = [];
  // Containers that removal cannot get rid of.
  readonly stuck = new Set<string>();
  readonly builds: { dir: string; tags: string[] }[] = [];

  async run(name: string, spec: RunSpec): Promise<void> {
    if (spec.image === 'missing/image') throw new Error('podman run of missing/image failed: image not known');
    const c: Fake = { spec, running: true, files: new Map() };
    this.containers.set(name, c);
    this.begin(c);
  }

  async exec(name: string, request: ExecRequest): Promise<ExecResult> {
    if (!this.containers.get(name)?.running) throw new NotRunningError('container state improper');
    const { signal, ...shown } = request;
    if (request.command[0] === 'hang') {
      await new Promise((resolve) => signal?.addEventListener('abort', resolve));
      this.aborted.push(name);
    }
    return {
      exit_code: request.command[0] === 'false' ? 1 : 0,
      stdout: JSON.stringify(shown),
      stderr: '',
      stdout_truncated: false,
      stderr_truncated: false,
      timed_out: false,
    };
  }

  async stop(name: string): Promise<void> {
    const c = this.containers.get(name);
    if (c) this.end(c);
  }

  async start(name: string): Promise<void> {
    const c = this.containers.get(name);
    if (!c) throw new Error('no such container');
    c.running = true;
    this.begin(c);
  }

  async remove(names: string[]): Promise<Leftover[]> {
    const left: Leftover[] = [];
    for (const name of names) {
      const c = this.containers.get(name);
      if (!c) continue;
      if (this.stuck.has(name)) {
        left.push({ name, reason: 'given PID did not die within timeout' });
        continue;
      }
      this.end(c);
      this.containers.delete(name);
      this.removed.push(name);
    }
    return left;
  }

  async states(): Promise<Map<string, ContainerState>> {
    return new Map(
      [...this.containers].map(([name, c]) => [
        name,
        { running: c.running, status: c.running ? 'running' : 'exited', exitCode: c.running ? null : 137 },
      ]),
    );
  }

  async logs(name: string): Promise<string> {
    return this.containers.has(name) ? `last words of ${name}` : '';
  }

  async copyIn(name: string, path: string, data: Buffer): Promise<void> {
    if (path.startsWith('/missing/')) throw new NoSuchFileError(`cannot write ${path}: its directory does not exist`);
    this.containers.get(name)?.files.set(path, data);
  }

  async copyOut(name: string, path: string): Promise<FileOut> {
    const data = this.containers.get(name)?.files.get(path);
    if (!data) throw new NoSuchFileError(`${path} does not exist`);
    return { size: data.length, data: Readable.from([data]) };
  }

  async imageInfo(image: string): Promise<ImageInfo | undefined> {
    return image === 'localhost/busybox' ? { created: '2026-11-30T00:00:00Z', size: 1234 } : undefined;
  }

  async build(dir: string, tags: string[]): Promise<{ ok: boolean; log: string }> {
    this.builds.push({ dir, tags });
    return tags[0]?.includes('broken')
      ? { ok: false, log: 'STEP 1/1: RUN false\nError: building at STEP' }
      : { ok: true, log: 'done' };
  }

  // Makes a container die, as if its main process had been killed.
  kill(name: string): void {
    const c = this.containers.get(name);
    if (c) this.end(c);
  }

  private begin(c: Fake): void {
    const { command } = c.spec;
    const dir = c.spec.mounts?.find((m) => m.container === AGENT_DIR)?.host;
    if (command[2] === AGENT_SCRIPT && dir) {
      c.agent = execa('sh', ['-c', AGENT_SCRIPT, 'agent', dir], { reject: false, stdio: 'ignore', cleanup: false });
      void c.agent.then(() => (c.running = false));
    } else if (command[0] === 'alive-server') {
      c.server = http.createServer((req, res) => res.writeHead(req.url === '/alive' ? 200 : 404).end('{}'));
      c.server.listen(Number(command[1]), '127.0.0.1');
    } else if (command[0] === 'exit-at-once') {
      c.running = false;
    }
  }

  private end(c: Fake): void {
    c.running = false;
    c.agent?.kill('SIGKILL');
    c.server?.close();
    c.server?.closeAllConnections();
  }
}
