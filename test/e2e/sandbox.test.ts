// `slurm-oci sandbox serve` on the real cluster, as alice with rootless Podman: sandboxes start and
// run commands, the key, limits and queue hold, idle ones are reaped, faults are reported, a load of
// 32 concurrent execs is fully answered, nothing is left behind on shutdown; the OpenHands protocol
// with a stand-in action-execution server (busybox httpd answering /alive on the port /start gave);
// isolation and shutdown under the containers.conf `slurm-oci generate containers-conf` writes; body
// limits while /health keeps answering; no ready flag on a node without Podman.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { setupPodman, type PodmanSetup } from '../helpers/podman.js';
import { projectInside } from '../helpers/testbed.js';
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
      '--max-parallel 2 --queue-timeout 2 --cpus-per-worker 1 --memory-per-worker 64m --idle-timeout 0 --max-body-bytes 65536 --max-download-bytes 65536',
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
    expect(a?.body).toMatchObject({
      exit_code: 7,
      stdout: 'hello there\n/tmp\nfrom stdin\n',
      stderr: 'oops\n',
      timed_out: false,
    });
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
      {
        method: 'POST',
        path: `/sandboxes/${id}/exec`,
        body: '{"command": [',
        headers: { 'content-type': 'application/json' },
      },
      exec(id, { command: ['true'], shell: true }),
      exec(id, { command: ['cat'], stdin: 'x'.repeat(100_000) }),
    ]);
    expect([malformed?.status, unknown?.status, oversized?.status]).toEqual([400, 400, 413]);
    // 20 MB of another content type on a JSON route: refused within a second, /health answers meanwhile
    const replies = await server.http(
      [
        {
          method: 'POST',
          path: `/sandboxes/${id}/exec`,
          body: 'x'.repeat(20 << 20),
          headers: { 'content-type': 'application/octet-stream' },
        },
        { method: 'POST', path: '/sandboxes', body: 'y'.repeat(20 << 20), headers: { 'content-type': 'text/plain' } },
        { path: '/health' },
        { path: '/health' },
      ],
      { parallel: true },
    );
    expect(replies.map((r) => r.status)).toEqual([415, expect.any(Number), 200, 200]);
    expect([413, 415]).toContain(replies[1]?.status); // text/plain: too large, or not JSON
    // /health within 100 ms on an idle node; here (2 cores shared with the cluster) within a second.
    for (const r of replies.slice(2)) expect(r.ms).toBeLessThan(1000);
    // the refusals arrive while the client is still pushing its 20 MB through loopback
    for (const r of replies.slice(0, 2)) expect(r.ms).toBeLessThan(3000);
    await server.http([{ method: 'DELETE', path: `/sandboxes/${id}` }]);
  });

  test("files go in and come out, also with the sandbox's own session key; a download over the cap is 413", async () => {
    const [made] = await server.http([create()]);
    const id = made?.body.id as string;
    const [put, got, viaSession, big, tooBig] = await server.http([
      {
        method: 'PUT',
        path: `/sandboxes/${id}/files?path=/tmp/data.txt`,
        body: 'line one\nline two\n',
        headers: { 'content-type': 'application/octet-stream' },
      },
      { path: `/sandboxes/${id}/files?path=/tmp/data.txt` },
      {
        ...exec(id, { command: ['wc', '-l', '/tmp/data.txt'] }),
        headers: { 'x-session-api-key': made?.body.session_api_key, 'x-api-key': '' },
      },
      exec(id, { command: ['sh', '-c', 'head -c 70000 /dev/zero > /tmp/big'] }),
      { path: `/sandboxes/${id}/files?path=/tmp/big` },
    ]);
    expect(put?.status).toBe(204);
    expect(got?.body).toBe('line one\nline two\n');
    expect(viaSession?.body.stdout).toMatch(/^\s*2 \/tmp\/data.txt/);
    expect(big?.body.exit_code).toBe(0);
    expect(tooBig?.status).toBe(413);
    // the refused download's stream ends quietly: the server goes on serving
    await new Promise((r) => setTimeout(r, 1000));
    const [after] = await server.http([exec(id, { command: ['true'] })]);
    expect(after?.status).toBe(200);
    await server.http([{ method: 'DELETE', path: `/sandboxes/${id}` }]);
  });

  test('stops every sandbox it started and exits 0 when training_complete.flag appears', async () => {
    const files = await podman.sh(
      `cd ${server.dir}/coord && echo "$(cat runtime_url.txt) http://127.0.0.1:8201" && stat -c '%a %n' runtime_api_key.txt`,
    );
    const [url, expected, mode] = files.stdout.split(/\s+/);
    expect([url, mode]).toEqual([expected, '600']);
    const made = await server.http([create(), create()]);
    expect(made.map((m) => m.status)).toEqual([201, 201]);
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
  replies.forEach((r, i) =>
    expect(r.body).toMatchObject({ exit_code: i % 3, stdout: `call-${i}\n`, timed_out: false }),
  );
  expect(took).toBeLessThan(120_000);
  const [queued] = await server.http([create()]);
  expect(queued?.status).toBe(429);
  await server.signal('INT');
  expect(await server.exited()).toBe(0);
  expect(await sandboxContainers(podman)).toEqual([]);
});

// The stand-in action-execution server: busybox httpd serving /alive on the port /start put in place of 88888888.
const ALIVE_SERVER = [
  'sh',
  '-c',
  'mkdir -p /tmp/www && echo ok > /tmp/www/alive && exec httpd -f -p "$0" -h /tmp/www',
  '88888888',
];
const startBody = (session: string) => ({
  image: 'localhost/busybox',
  command: ALIVE_SERVER,
  working_dir: '/',
  environment: { GREETING: 'hi' },
  session_id: session,
  resource_factor: 1,
  runtime_class: null,
  runtime_mounts: [],
});

describe('the OpenHands remote-runtime protocol, under the containers.conf generate containers-conf writes', () => {
  let generated: PodmanSetup;
  let server: SandboxServer;
  beforeAll(async () => {
    generated = await setupPodman({ name: 'sandbox-gen', runtime: RUNTIME, generated: true });
    server = await startServer(generated, 'openhands', 8204, [...common, '--max-parallel 10 --idle-timeout 0']);
    servers.push(server);
  });

  test('/start answers once the sandbox server is alive; the client then talks to it directly; pause, resume, list, stop', async () => {
    const [a, b] = await server.http(
      [
        { method: 'POST', path: '/start', json: startBody('oh-a') },
        { method: 'POST', path: '/start', json: startBody('oh-b') },
      ],
      {
        parallel: true,
      },
    );
    expect([a?.status, b?.status]).toEqual([200, 200]);
    const ports = [a, b].flatMap((r) => [
      r?.body.ports.container_port,
      r?.body.ports.vscode_port,
      ...r?.body.ports.app_ports,
    ]);
    expect(new Set(ports).size).toBe(8);
    const url = a?.body.url as string;
    expect(url).toBe(`http://127.0.0.1:${a?.body.ports.container_port}`);
    expect(Object.keys(a?.body.work_hosts)).toHaveLength(2);
    const direct = async (u: string) => (await server.http([{ path: '/alive' }], { base: u, key: null }))[0]?.status;
    expect(await direct(url)).toBe(200);
    const id = a?.body.runtime_id as string;
    const [runtime, session, list] = await server.http([
      { path: `/runtime/${id}` },
      { path: '/sessions/oh-a' },
      { path: '/list' },
    ]);
    expect(runtime?.body).toMatchObject({ runtime_id: id, pod_status: 'running', restart_count: 0 });
    expect(session?.body).toMatchObject({ runtime_id: id, status: 'running', url });
    expect(list?.body.runtimes.map((r: { runtime_id: string }) => r.runtime_id).sort()).toEqual(
      [id, b?.body.runtime_id].sort(),
    );
    const [paused] = await server.http([{ method: 'POST', path: '/pause', json: { runtime_id: id } }]);
    expect(paused?.body).toEqual({ status: 'success' });
    expect(await direct(url)).toBe(-1);
    expect((await server.http([{ path: '/sessions/oh-a' }]))[0]?.body.status).toBe('paused');
    const [resumed] = await server.http([{ method: 'POST', path: '/resume', json: { runtime_id: id } }]);
    expect(resumed?.body).toEqual({ status: 'success' });
    expect(await direct(url)).toBe(200);
    const stops = await server.http([
      { method: 'POST', path: '/stop', json: { runtime_id: id } },
      { method: 'POST', path: '/stop', json: { runtime_id: b?.body.runtime_id } },
      { path: '/sessions/oh-a' },
      { method: 'POST', path: '/stop', json: { runtime_id: 'no-such-runtime' } },
    ]);
    expect(stops.map((r) => r.status)).toEqual([200, 200, 404, 404]);
    expect(await sandboxContainers(generated)).toEqual([]);
  });

  test('/build builds the context the client uploads with podman build; /build_status follows it; the image then exists', async () => {
    const context = await generated.sh(
      `d=$(mktemp -d) && printf 'FROM localhost/busybox\\nCOPY hello.txt /hello.txt\\n' > $d/Dockerfile && echo built-here > $d/hello.txt && tar -cz -C $d . | base64 -w0`,
    );
    const [started] = await server.http([
      {
        method: 'POST',
        path: '/build',
        form: {
          context: { file: context.stdout.trim(), name: 'context.tar.gz' },
          target_image: 'localhost/oh/runtime:e2e',
          tags: 'localhost/oh/runtime:latest',
        },
      },
    ]);
    expect(started?.status).toBe(200);
    let status: { status?: string; error?: string } = {};
    for (let i = 0; i < 120 && !['SUCCESS', 'FAILURE'].includes(status.status ?? ''); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      status = (await server.http([{ path: `/build_status?build_id=${started?.body.build_id}` }]))[0]?.body;
    }
    expect(status).toMatchObject({ status: 'SUCCESS', image: 'localhost/oh/runtime:e2e' });
    const [exists] = await server.http([{ path: '/image_exists?image=localhost/oh/runtime:latest' }]);
    expect(exists?.body).toMatchObject({ exists: true, url: 'http://127.0.0.1:8204' });
    expect(
      (
        await generated.sh('podman run --rm --runtime /usr/bin/crun localhost/oh/runtime:e2e cat /hello.txt')
      ).stdout.trim(),
    ).toBe('built-here');
  });

  test('a sandbox whose server exits fails the start with its last output', async () => {
    const [r] = await server.http([
      {
        method: 'POST',
        path: '/start',
        json: { ...startBody('oh-bad'), command: ['sh', '-c', 'echo cannot start the server; exit 3'] },
      },
    ]);
    expect(r?.status).toBe(503);
    expect(r?.body.error).toMatch(
      /exited before its server answered \/alive; its last output:\ncannot start the server/,
    );
    expect(await sandboxContainers(generated)).toEqual([]);
  });

  test("a sandbox sees none of the user's processes: not the server's own PID", async () => {
    const [made] = await server.http([create()]);
    const id = made?.body.id as string;
    const serverPid = (await generated.sh(`cat ${server.dir}/pid`)).stdout.trim();
    const [ps, signal] = await server.http([
      exec(id, { command: ['sh', '-c', 'ls /proc | grep -c "^[0-9]"'] }),
      exec(id, { command: ['sh', '-c', `kill -0 ${serverPid} 2>&1; echo rc=$?`] }),
    ]);
    expect(Number(ps?.body.stdout)).toBeLessThan(10);
    expect(signal?.body.stdout).toMatch(/rc=1/);
    await server.http([{ method: 'DELETE', path: `/sandboxes/${id}` }]);
    expect(await sandboxContainers(generated)).toEqual([]);
  });

  test('SIGTERM with 8 live sandboxes removes them all and exits 0', async () => {
    const made = await server.http(
      Array.from({ length: 8 }, () => create()),
      { parallel: true },
    );
    expect(made.map((m) => m.status)).toEqual(Array(8).fill(201));
    expect((await sandboxContainers(generated)).length).toBe(8);
    await server.signal('TERM');
    expect(await server.exited(120_000)).toBe(0);
    expect(await sandboxContainers(generated)).toEqual([]);
    expect(await server.log()).toContain('removed 8 sandbox container(s)');
  });
});

test('a node without Podman never reports ready', async () => {
  const dir = '$HOME/sbx-nopodman';
  const r = await podman.sh(
    `rm -rf ${dir} && mkdir -p ${dir}/bin && for t in node sh mkfifo tar; do ln -s "$(command -v $t)" ${dir}/bin/$t; done
     PATH=${dir}/bin ${projectInside}/bin/slurm-oci sandbox serve --image localhost/busybox --port 8205 --coordination-dir ${dir}/coord > ${dir}/log 2>&1; echo "exit=$?"
     ls ${dir}/coord; cat ${dir}/log`,
    120_000,
  );
  expect(r.stdout).toMatch(/exit=1/);
  expect(r.stdout).not.toContain('runtime_ready.flag');
  expect(r.stdout).toContain('not ready: a probe sandbox of localhost/busybox failed');
  expect(r.stdout).not.toContain('internal error');
});
