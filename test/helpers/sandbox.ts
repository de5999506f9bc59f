// Drives `slurm-oci sandbox serve` on the cluster for e2e tests: the server runs as the user in the
// background (its log and exit code go to files in the user's home), and HTTP calls are made from
// inside the cluster by sandbox-http.mjs, since the server listens in the testbed's network namespace.
import { expect } from '@jest/globals';
import { projectInside, tbUserSh } from './testbed.js';
import type { PodmanSetup } from './podman.js';

// One HTTP request for sandbox-http.mjs.
export type HttpRequest = {
  method?: string;
  path: string;
  json?: unknown;
  body?: string;
  form?: Record<string, string | { file: string; name: string }>;
  headers?: Record<string, string>;
};
// Its answer.
export type HttpReply = { status: number; headers: Record<string, string>; body: any; ms: number };

// A running server: its coordination dir, URL and key, and how to talk to it and stop it.
export type SandboxServer = {
  dir: string;
  key: string;
  base: string;
  http: (
    requests: HttpRequest[],
    options?: { parallel?: boolean; key?: string | null; base?: string },
  ) => Promise<HttpReply[]>;
  log: () => Promise<string>;
  // Waits (up to TIMEOUTMS) for the server to exit; returns its exit code.
  exited: (timeoutMs?: number) => Promise<number>;
  signal: (name: 'TERM' | 'INT') => Promise<void>;
  // Sends SIGTERM if it still runs and waits for it to exit.
  stop: () => Promise<void>;
};

// Starts a server named NAME with Podman set-up PODMAN and extra ARGS; resolves once the ready flag is there.
export async function startServer(
  podman: PodmanSetup,
  name: string,
  port: number,
  args: string[],
): Promise<SandboxServer> {
  const dir = `$HOME/sbx-${name}`;
  const started = await podman.sh(
    `rm -rf ${dir} && mkdir -p ${dir} && cd ${dir} &&
     (sh -c 'echo $$ > ${dir}/pid; exec "$@"' sh ${projectInside}/bin/slurm-oci sandbox serve --port ${port} \
        --coordination-dir ${dir}/coord ${args.join(' ')} > ${dir}/server.log 2>&1 < /dev/null; echo $? > ${dir}/exit-code) \
        > /dev/null 2>&1 &
     for i in $(seq 150); do [ -f ${dir}/coord/runtime_ready.flag ] && break; [ -f ${dir}/exit-code ] && break; sleep 0.1; done
     cat ${dir}/coord/runtime_api_key.txt`,
    60_000,
  );
  if (started.exitCode !== 0) {
    const log = await podman.sh(`cat ${dir}/server.log`);
    throw new Error(`sandbox server ${name} did not start: ${started.stderr}\n${log.stdout}`);
  }
  const key = started.stdout.trim();
  const base = `http://127.0.0.1:${port}`;
  const http: SandboxServer['http'] = async (requests, options = {}) => {
    const input = JSON.stringify({
      base: options.base ?? base,
      key: options.key === undefined ? key : options.key,
      parallel: options.parallel,
      requests,
    });
    const r = await tbUserSh(`node ${projectInside}/test/helpers/sandbox-http.mjs`, { input, timeout: 300_000 });
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout) as HttpReply[];
  };
  const server: SandboxServer = {
    dir,
    key,
    base,
    http,
    log: async () => (await podman.sh(`cat ${dir}/server.log`)).stdout,
    exited: async (timeoutMs = 60_000) => {
      const r = await podman.sh(
        `for i in $(seq ${Math.ceil(timeoutMs / 100)}); do [ -f ${dir}/exit-code ] && exec cat ${dir}/exit-code; sleep 0.1; done; exit 99`,
        timeoutMs + 10_000,
      );
      return r.exitCode === 0 ? Number(r.stdout.trim()) : -1;
    },
    signal: async (signal) => {
      await podman.sh(`kill -${signal} "$(cat ${dir}/pid)"`);
    },
    stop: async () => {
      await podman.sh(`[ -f ${dir}/exit-code ] || kill -TERM "$(cat ${dir}/pid)"`);
      await server.exited();
    },
  };
  return server;
}

// Names of the user's containers made by sandbox servers (any state).
export async function sandboxContainers(podman: PodmanSetup): Promise<string[]> {
  const r = await podman.sh(`podman ps -a --format '{{.Names}}'`);
  return r.stdout.split('\n').filter((n) => n.startsWith('slurm-oci-sandbox-'));
}
