// Ports for OpenHands sandboxes: per start an execution-server port, a VS Code port and two app
// ports, each from its own range (SkyRL's runtime server uses the same ranges). A port is taken
// synchronously before it is checked, so concurrent starts never get the same one, and it stays
// taken until its sandbox is gone; one that another process holds on this node is skipped.
import net from 'node:net';

// The ports of one sandbox.
export type PortSet = { exec: number; vscode: number; app: [number, number] };

// The ranges, inclusive.
export const PORT_RANGES = {
  exec: [30000, 39999],
  vscode: [40000, 49999],
  app1: [50000, 54999],
  app2: [55000, 59999],
} as const;

const TRIES = 50;

// Whether PORT can be bound on every address now (host networking: the sandbox will bind it).
export const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '0.0.0.0', exclusive: true }, () => server.close(() => resolve(true)));
  });

// Hands out port sets and takes them back.
export class Ports {
  private readonly taken = new Set<number>();

  constructor(private readonly isFree: (port: number) => Promise<boolean> = bindable) {}

  // Ports in use by this server's sandboxes.
  get inUse(): number {
    return this.taken.size;
  }

  // A fresh set; throws when a range has no free port left.
  async take(): Promise<PortSet> {
    const got: number[] = [];
    try {
      for (const range of [PORT_RANGES.exec, PORT_RANGES.vscode, PORT_RANGES.app1, PORT_RANGES.app2])
        got.push(await this.one(range));
    } catch (error) {
      this.give(got);
      throw error;
    }
    const [exec, vscode, a, b] = got as [number, number, number, number];
    return { exec, vscode, app: [a, b] };
  }

  // Returns a set's ports.
  release(set: PortSet): void {
    this.give([set.exec, set.vscode, ...set.app]);
  }

  private give(ports: number[]): void {
    for (const p of ports) this.taken.delete(p);
  }

  private async one([low, high]: readonly [number, number]): Promise<number> {
    for (let i = 0; i < TRIES; i += 1) {
      const port = low + Math.floor(Math.random() * (high - low + 1));
      if (this.taken.has(port)) continue;
      this.taken.add(port);
      if (await this.isFree(port)) return port;
      this.taken.delete(port);
    }
    throw new Error(`no free port found in ${low}-${high} after ${TRIES} tries`);
  }
}

// The start command with the client's port placeholder replaced by the execution-server port: an
// argument whose digits are the number 88888888 (OpenHands' RemoteRuntime sends a list), or that
// number as a word of a command given as one string.
export const withPort = (command: string[] | string, port: number): string[] | string =>
  typeof command === 'string'
    ? command.replace(/(?<![\w.])0*88888888(?![\w.])/g, String(port))
    : command.map((a) => (/^\d+$/.test(a) && Number(a) === 88888888 ? String(port) : a));
