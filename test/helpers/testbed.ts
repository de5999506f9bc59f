// Drives the real cluster of test/cluster/testbed from e2e tests. The instance is named by
// TESTBED_NAME (default 'e2e'), so developers can run several suites side by side.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type Options } from 'execa';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const testbedScript = path.join(repoRoot, 'test/cluster/testbed');
export const testbedEnv = { TESTBED_NAME: process.env.TESTBED_NAME ?? 'e2e', TESTBED_BIND: repoRoot };
// Where the repository appears inside the cluster.
export const projectInside = '/project';

// What a command inside the cluster gave back; a non-zero exit is data, not an exception.
export type Result = { exitCode: number; stdout: string; stderr: string };

type Opts = Pick<Options, 'input' | 'timeout' | 'env'>;

const run = async (args: string[], options: Opts & { user?: string }): Promise<Result> => {
  const { user, env, ...rest } = options;
  const r = await execa(testbedScript, args, {
    env: { ...testbedEnv, ...(user ? { TESTBED_USER: user } : {}), ...env },
    reject: false,
    timeout: 300_000,
    ...rest,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
};

// Runs a command as root inside the cluster.
export const tbExec = (args: string[], options: Opts = {}) => run(['exec', ...args], options);

// Runs a command as an ordinary user (alice by default) inside the cluster.
export const tbUser = (args: string[], options: Opts & { user?: string } = {}) => run(['user', ...args], options);

// Runs a shell snippet as the user (cwd: their home), output captured.
export const tbUserSh = (script: string, options: Opts & { user?: string } = {}) =>
  tbUser(['sh', '-c', script], options);

// Runs a shell snippet as root inside the cluster.
export const tbSh = (script: string, options: Opts = {}) => tbExec(['sh', '-c', script], options);

// A cluster instance a test file starts for itself (e.g. a multi-node one), named by ENV's
// TESTBED_NAME: `testbed` subcommands, and the shell calls above bound to that instance.
export function testbedInstance(env: Record<string, string>) {
  const bound = <O extends Opts>(options?: O): O => ({ ...options, env: { ...env, ...options?.env } }) as O;
  return {
    env,
    // `testbed up`, `testbed down`, ...: a non-zero exit is data.
    command: (args: string[], options?: Opts) => run(args, bound(options)),
    sh: (script: string, options?: Opts) => tbSh(script, bound(options)),
    userSh: (script: string, options?: Opts & { user?: string }) => tbUserSh(script, bound(options)),
    // Runs a shell snippet as root on node NODE (n1..nN) of a multi-node instance.
    nodeSh: (node: string, script: string, options?: Opts) => run(['node', node, 'sh', '-c', script], bound(options)),
  };
}
