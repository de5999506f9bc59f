// The agent script under a real `sh` (dash here; busybox sh in the cluster suite) with the server's
// channel: commands, exit codes, stdin, env, workdir, output limits, timeouts that kill, concurrency,
// and a sandbox that replaces a channel FIFO with a symlink.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execa, type ResultPromise } from 'execa';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentChannel } from '../../../src/sandbox/agent/channel.js';
import { AGENT_SCRIPT } from '../../../src/sandbox/agent/script.js';

let dir: string;
let agent: ResultPromise;
let channel: AgentChannel;
const run = (command: string[], extra: Partial<Parameters<AgentChannel['exec']>[0]> = {}) =>
  channel.exec({
    command,
    marker: `m-${Math.random().toString(16).slice(2)}`,
    timeoutMs: 10_000,
    maxOutputBytes: 1 << 20,
    ...extra,
  });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-test-'));
  channel = await AgentChannel.create(dir);
  agent = execa('sh', ['-c', AGENT_SCRIPT, 'agent', dir], { reject: false, stdio: 'ignore', cleanup: false });
});
afterAll(async () => {
  channel.close();
  agent.kill('SIGKILL');
  await agent;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('agent channel', () => {
  test('runs a command with its exit code, output, env, workdir and stdin', async () => {
    const r = await run(['sh', '-c', 'echo "$GREETING"; pwd; cat; echo oops >&2; exit 7'], {
      env: { GREETING: 'it\'s "quoted"\nand two lines' },
      workdir: '/tmp',
      stdin: 'from stdin\n',
    });
    expect(r).toEqual({
      exit_code: 7,
      stdout: 'it\'s "quoted"\nand two lines\n/tmp\nfrom stdin\n',
      stderr: 'oops\n',
      stdout_truncated: false,
      stderr_truncated: false,
      timed_out: false,
    });
  });

  test('a missing program is 127 and a missing workdir 126', async () => {
    expect((await run(['no-such-program-here'])).exit_code).toBe(127);
    expect((await run(['true'], { workdir: '/no/such/dir' })).exit_code).toBe(126);
  });

  test('arguments reach the program verbatim, whatever they hold', async () => {
    const hostile = ['a b', "'", '"', '$(touch /tmp/PWNED)', '`id`', '\\', '\n', '*', ';', ''];
    const r = await run(['printf', '%s|', ...hostile]);
    expect(r.stdout).toBe(hostile.map((h) => `${h}|`).join(''));
  });

  test('keeps the first bytes of a large output and flags the rest', async () => {
    const r = await run(['sh', '-c', 'i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done'], {
      maxOutputBytes: 1000,
    });
    expect(r.stdout.length).toBe(1000);
    expect(r.stdout_truncated).toBe(true);
    expect(r.exit_code).toBe(0);
  });

  test('a command past its timeout is killed with its children and reported as 124', async () => {
    const t0 = Date.now();
    const r = await run(['sh', '-c', 'sleep 30 & sleep 30; echo never'], { timeoutMs: 500 });
    expect(r).toMatchObject({ exit_code: 124, timed_out: true, stdout: '' });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  test('runs many commands at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => run(['sh', '-c', `sleep 0.2; echo ${i}; exit ${i % 5}`])),
    );
    expect(results.map((r) => [r.stdout, r.exit_code])).toEqual(
      Array.from({ length: 40 }, (_, i) => [`${i}\n`, i % 5]),
    );
  });

  test('a channel file replaced by a symlink is refused, not followed', async () => {
    // the agent stands for the sandbox here, on the host: stop it first, so only the server's side is tested
    agent.kill('SIGKILL');
    await agent;
    const target = path.join(dir, 'outside');
    fs.writeFileSync(target, 'secret');
    fs.rmSync(path.join(dir, 'res'));
    fs.symlinkSync(target, path.join(dir, 'res'));
    // the channel keeps its open FIFOs; a fresh channel on this directory must not open the link
    await expect(
      (async () => {
        const c = await AgentChannel.create(dir).catch((e: Error) => Promise.reject(e));
        c.close();
      })(),
    ).rejects.toThrow();
    expect(fs.readFileSync(target, 'utf8')).toBe('secret');
  });
});
