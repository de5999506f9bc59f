// `slurm-oci sandbox serve` on the real cluster, as alice with rootless Podman: sandboxes start and
// run commands, the key, limits and queue hold, idle ones are reaped, faults are reported, a load of
// 32 concurrent execs is fully answered, and nothing is left behind on shutdown.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setupPodman, type PodmanSetup } from '../helpers/podman.js';
import { sandboxContainers, startServer, type SandboxServer } from '../helpers/sandbox.js';

// The OCI runtime under Podman: this project's, on the crun backend (the sandbox job's own node).
const RUNTIME = '/project/bin/slurm-oci-runtime';
const common = ['--image', 'localhost/busybox', '--runtime', RUNTIME, '--backend', 'crun'];

let podman: PodmanSetup;
const servers: SandboxServer[] = [];
beforeAll(async () => {
  podman = await setupPodman({ name: 'sandbox', runtime: RUNTIME, runtimeFlags: ['backend=crun'] });
});
// Stops servers a failed test left running, so later tests see a clean store.
afterAll(async () => {
  for (const server of servers) await server.stop();
});

const start = async (name: string, port: number, args: string) => {
  const server = await startServer(podman, name, port, [...common, args]);
  servers.push(server);
  return server;
};

const exec = (id: string, body: object) => ({ method: 'POST', path: `/sandboxes/${id}/exec`, json: body });
const create = (body: object = {}) => ({ method: 'POST', path: '/sandboxes', json: body });

describe('one server with limits and a queue of 2', () => {
  let server: SandboxServer;
  beforeAll(async () => {
    server = await start(
      'main',
      8201,
      '--max-parallel 2 --queue-timeout 2 --cpus-per-worker 1 --memory-per-worker 64m --idle-timeout 0 --max-body-bytes 65536',
    );
  });

  test('runs commands in the container with their exit codes, output, stdin, env and workdir', async () => {
    const [made] = await server.http([create({ env: { GREETING: 'hello there' }, workdir: '/tmp' })]);
    expect(made?.status).toBe(201);
    const id = made?.body.id as string;
    const [a, b, c] = await server.http([
      exec(id, { command: ['sh', '-c', 'echo "$GREETING"; pwd; cat; echo oops >&2; exit 7'], stdin: 'from stdin\n' }),
      exec(id, { command: ['cat', '/etc/testbed-marker'] }),
      exec(id, { command: ['sh', '-c', 'echo $X'], env: { X: 'per-call' }, workdir: '/' }),
    ]);
    expect(a?.body).toMatchObject({ exit_code: 7, stdout: 'hello there\n/tmp\nfrom stdin\n', stderr: 'oops\n', timed_out: false });
    expect(b?.body).toMatchObject({ exit_code: 0, stdout: 'inside-busybox\n' });
    expect(c?.body).toMatchObject({ exit_code: 0, stdout: 'per-call\n' });
    const [nf] = await server.http([exec(id, { command: ['no-such-command'] })]);
    expect(nf?.body.exit_code).toBe(127);
    await server.http([{ method: 'DELETE', path: `/sandboxes/${id}` }]);
  });

  test('enforces the API key and logs refusals without the key', async () => {
    const [none] = await server.http([{ path: '/sandboxes' }], { key: null });
    const [wrong] = await server.http([{ path: '/sandboxes' }], { key: 'wrong-key-wrong-key-1234' });
    const [health] = await server.http([{ path: '/health' }], { key: null });
    expect([none?.status, wrong?.status, health?.status]).toEqual([401, 401, 200]);
    const log = await server.log();
    expect(log).toContain('rejected a request with a wrong key');
    expect(log).not.toContain('wrong-key-wrong-key-1234');
    expect(log).not.toContain(server.key);
  });

  test('applies the CPU and memory limits per worker', async () => {
    const [made] = await server.http([create()]);
    const name = made?.body.container as string;
    const r = await podman.sh(
      `podman inspect ${name} --format '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.NetworkMode}}' &&
       jq -c '.linux.resources | [.memory.limit, .cpu.quota, .cpu.period]' "$(podman inspect ${name} --format '{{.OCIConfigPath}}')"`,
    );
    expect(r.stdout.split('\n')).toEqual(['67108864 1000000000 host', '[67108864,100000,100000]']);
    await server.http([{ method: 'DELETE', path: `/sandboxes/${made?.body.id}` }]);
  });

  test('queues starts beyond --max-parallel and answers 429 when no slot frees in time', async () => {
    const [a, b] = await server.http([create(), create()]);
    expect([a?.status, b?.status]).toEqual([201, 201]);
    const [refused] = await server.http([create()]);
    expect(refused?.status).toBe(429);
    expect(refused?.headers['retry-after']).toBe('10');
    expect(refused?.ms).toBeGreaterThanOrEqual(1900);
    const [, after] = await server.http([{ method: 'DELETE', path: `/sandboxes/${a?.body.id}` }, create()]);
    expect(after?.status).toBe(201);
    await server.http([b, after].map((s) => ({ method: 'DELETE', path: `/sandboxes/${s?.body.id}` })));
    expect(await sandboxContainers(podman)).toEqual([]);
  });

  test('faults: a dead container shows in the status, exec on it is 409, a timeout kills the command', async () => {
    const [made] = await server.http([create()]);
    const id = made?.body.id as string;
    const [slow] = await server.http([exec(id, { command: ['sh', '-c', 'echo started; sleep 300'], timeout: 1 })]);
    expect(slow?.body).toMatchObject({ exit_code: 124, timed_out: true, stdout: 'started\n' });
    expect(slow?.ms).toBeLessThan(15_000);
    const [ps] = await server.http([exec(id, { command: ['ps', '-o', 'args'] })]);
    expect(ps?.body.stdout).not.toContain('sleep 300');
    const [big] = await server.http([exec(id, { command: ['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x'] })]);
    expect(big?.body).toMatchObject({ exit_code: 0, stdout_truncated: true });
    expect(big?.body.stdout.length).toBe(1 << 20);
    await podman.sh(`podman kill ${made?.body.container}`);
    const [status, late] = await server.http([{ path: `/sandboxes/${id}` }, exec(id, { command: ['true'] })]);
    expect(status?.body).toMatchObject({ status: 'exited', exit_code: 137 });
    expect(late?.status).toBe(409);
    expect(late?.body.error).toContain('start a new sandbox');
    await server.http([{ method: 'DELETE', path: `/sandboxes/${id}` }]);
  });

  test('bodies: malformed JSON and unknown fields are 400, an oversized body 413', async () => {
    const [made] = await server.http([create()]);
    const id = made?.body.id as string;
    const [malformed, unknown, oversized] = await server.http([
      { method: 'POST', path: `/sandboxes/${id}/exec`, body: '{"command": [', headers: { 'content-type': 'application/json' } },
      exec(id, { command: ['true'], shell: true }),
      exec(id, { command: ['cat'], stdin: 'x'.repeat(100_000) }),
    ]);
    expect([malformed?.status, unknown?.status, oversized?.status]).toEqual([400, 400, 413]);
    await server.http([{ method: 'DELETE', path: `/sandboxes/${id}` }]);
  });

  test('files go in and come out; OpenHands /start and /runtime work', async () => {
    const [made] = await server.http([
      { method: 'POST', path: '/start', json: { image: 'localhost/busybox', session_id: 'oh-1', command: ['sleep', 'infinity'], resource_factor: 1 } },
    ]);
    expect(made?.body).toMatchObject({ session_id: 'oh-1', pod_status: 'ready' });
    const id = made?.body.runtime_id as string;
    const [put, got, viaSession, runtime] = await server.http([
      { method: 'PUT', path: `/sandboxes/${id}/files?path=/tmp/data.txt`, body: 'line one\nline two\n', headers: { 'content-type': 'application/octet-stream' } },
      { path: `/sandboxes/${id}/files?path=/tmp/data.txt` },
      { ...exec(id, { command: ['wc', '-l', '/tmp/data.txt'] }), headers: { 'x-session-api-key': made?.body.session_api_key, 'x-api-key': '' } },
      { path: `/runtime/${id}` },
    ]);
    expect(put?.status).toBe(204);
    expect(got?.body).toBe('line one\nline two\n');
    expect(viaSession?.body.stdout).toMatch(/^\s*2 \/tmp\/data.txt/);
    expect(runtime?.body).toMatchObject({ runtime_id: id, pod_status: 'ready' });
    const [stop] = await server.http([{ method: 'POST', path: '/stop', json: { runtime_id: id } }]);
    expect(stop?.status).toBe(200);
  });

  test('stops every sandbox it started and exits 0 when training_complete.flag appears', async () => {
    const files = await podman.sh(
      `cd ${server.dir}/coord && echo "$(cat runtime_url.txt) http://$(hostname):8201" && stat -c '%a %n' runtime_api_key.txt`,
    );
    const [url, expected, mode] = files.stdout.split(/\s+/);
    expect([url, mode]).toEqual([expected, '600']);
    await server.http([create(), create()]);
    expect((await sandboxContainers(podman)).length).toBe(2);
    await podman.sh(`touch ${server.dir}/coord/training_complete.flag`);
    expect(await server.exited()).toBe(0);
    expect(await sandboxContainers(podman)).toEqual([]);
  });
});

test('idle sandboxes are reaped; SIGTERM stops the rest and exits 0', async () => {
  const server = await start('idle', 8202, '--idle-timeout 3');
  const [idle] = await server.http([create()]);
  await new Promise((r) => setTimeout(r, 5_000));
  const [status] = await server.http([{ path: `/sandboxes/${idle?.body.id}` }]);
  expect(status?.body).toMatchObject({ status: 'stopped', reason: 'idle for 3 s' });
  expect(await sandboxContainers(podman)).toEqual([]);
  const [fresh] = await server.http([create()]);
  expect(fresh?.status).toBe(201);
  await server.signal('TERM');
  expect(await server.exited()).toBe(0);
  expect(await sandboxContainers(podman)).toEqual([]);
  expect(await server.log()).toContain('removed 1 sandbox container(s)');
});

test('load: 32 concurrent exec calls across --max-parallel 4 sandboxes are all answered', async () => {
  const server = await start('load', 8203, '--max-parallel 4 --queue-timeout 2 --idle-timeout 0');
  const made = await server.http([create(), create(), create(), create()], { parallel: true });
  expect(made.map((m) => m.status)).toEqual([201, 201, 201, 201]);
  const calls = Array.from({ length: 32 }, (_, i) =>
    exec(made[i % 4]?.body.id, { command: ['sh', '-c', `echo call-${i}; sleep 0.2; exit ${i % 3}`], timeout: 120 }),
  );
  const started = Date.now();
  const replies = await server.http(calls, { parallel: true });
  const took = Date.now() - started;
  expect(replies.map((r) => r.status)).toEqual(Array(32).fill(200));
  replies.forEach((r, i) => expect(r.body).toMatchObject({ exit_code: i % 3, stdout: `call-${i}\n`, timed_out: false }));
  expect(took).toBeLessThan(120_000);
  const [queued] = await server.http([create()]);
  expect(queued?.status).toBe(429);
  await server.signal('INT');
  expect(await server.exited()).toBe(0);
  expect(await sandboxContainers(podman)).toEqual([]);
});
