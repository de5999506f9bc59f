// A stand-in for Podman in unit tests: the machine running `npm test` has no Podman (the real
// driver is exercised on the cluster by test/e2e/sandbox.test.ts). Containers are entries in a map;
// exec echoes its request back as JSON; `hang` runs until the client goes away.
import { NoSuchFileError, NotRunningError, type ContainerState, type Driver, type ExecRequest, type ExecResult, type RunSpec } from '../../src/sandbox/driver.js';

export class FakeDriver implements Driver {
  readonly containers = new Map<string, { spec: RunSpec; running: boolean; files: Map<string, Buffer> }>();
  readonly removed: string[] = [];
  // Containers whose `hang` command was aborted because the client went away.
  readonly aborted: string[] = [];

  async run(name: string, spec: RunSpec): Promise<void> {
    if (spec.image === 'missing/image') throw new Error('podman run of missing/image failed: image not known');
    this.containers.set(name, { spec, running: true, files: new Map() });
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

  async remove(names: string[]): Promise<void> {
    for (const name of names) if (this.containers.delete(name)) this.removed.push(name);
  }

  async states(): Promise<Map<string, ContainerState>> {
    return new Map(
      [...this.containers].map(([name, c]) => [name, { running: c.running, status: c.running ? 'running' : 'exited', exitCode: c.running ? null : 137 }]),
    );
  }

  async copyIn(name: string, path: string, data: Buffer): Promise<void> {
    this.containers.get(name)?.files.set(path, data);
  }

  async copyOut(name: string, path: string): Promise<Buffer> {
    const data = this.containers.get(name)?.files.get(path);
    if (!data) throw new NoSuchFileError(`${path} does not exist`);
    return data;
  }

  async imageExists(image: string): Promise<boolean> {
    return image === 'localhost/busybox';
  }

  // Makes a container die, as if its main process had been killed.
  kill(name: string): void {
    const c = this.containers.get(name);
    if (c) c.running = false;
  }
}
