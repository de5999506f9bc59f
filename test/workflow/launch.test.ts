// `workflow launch` without a cluster: --dry-run output, bad configs stopping before sbatch, and the
// submission order. Slurm cannot run in unit tests, so sbatch/scontrol/scancel are stand-in
// scripts on PATH that log their argv and stdin and hand out job ids; e2e runs the real ones.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { execa } from 'execa';
import { runCli } from '../../src/cli.js';
import { GOOD, writeConf } from '../helpers/workflow.js';

let fake: string;
let savedPath: string | undefined;
let jobsDir: string;

// Swaps a stand-in for another by rename: a file written in place may still be open for writing in
// a process forked meanwhile, and exec then fails with ETXTBSY.
const replaceStub = (name: string, text: string, options: fs.WriteFileOptions) => {
  fs.writeFileSync(path.join(fake, `${name}.new`), text, options);
  fs.renameSync(path.join(fake, `${name}.new`), path.join(fake, name));
};

// The Slurm calls the stand-ins saw, in order.
const calls = (): string[] => {
  const log = path.join(fake, 'calls.log');
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
};

beforeEach(() => {
  fake = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-slurm-'));
  jobsDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jobs dir-')), "it's %here");
  fs.writeFileSync(path.join(fake, 'next'), '41');
  const stub = (name: string, body: string) =>
    fs.writeFileSync(path.join(fake, name), `#!/bin/sh\necho "${name} $*" >>"${fake}/calls.log"\n${body}\n`, {
      mode: 0o755,
    });
  stub(
    'sbatch',
    `n=$(($(cat "${fake}/next") + 1)); echo $n >"${fake}/next"; cat >"${fake}/script.$n"
[ -e "${fake}/fail.$n" ] && { echo "sbatch: error: Invalid partition name specified" >&2; exit 1; }
echo "$n"`,
  );
  stub('scontrol', 'exit 0');
  stub('scancel', 'exit 0');
  savedPath = process.env.PATH;
  process.env.PATH = `${fake}:${savedPath}`;
});

afterEach(() => {
  process.env.PATH = savedPath;
  jest.restoreAllMocks();
});

// Runs the CLI and returns what it printed on stdout.
async function cli(args: string[]): Promise<string> {
  let out = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => ((out += String(chunk)), true));
  try {
    await runCli(args);
  } finally {
    jest.restoreAllMocks();
  }
  return out;
}

describe('--dry-run', () => {
  test('prints both scripts and the sbatch command lines, submits nothing', async () => {
    const out = await cli(['workflow', 'launch', '--config', writeConf(GOOD), '--jobs-dir', jobsDir, '--dry-run']);
    expect(calls()).toEqual([]);
    expect(fs.existsSync(jobsDir)).toBe(false);
    const stamp = out.match(/\/(\d{8}_\d{6})_/)![1];
    const dirPrefix = `${jobsDir}/${stamp}_`;
    const quotedPrefix = `'${dirPrefix.replace("'", `'\\''`)}'`;
    // the runtime script names its own directory after its job id, the training one after the runtime's
    expect(out).toContain(`dir=${quotedPrefix}"$SLURM_JOB_ID"\n`);
    expect(out).toContain(`dir=${quotedPrefix}'<runtime-job-id>'\n`);
    expect(out).toMatch(
      /\/bin\/slurm-oci sandbox serve --host "\$\{addr:-0\.0\.0\.0\}" --port 8000 --image localhost\/busybox \\\n {2}--max-parallel 2 --cpus-per-worker 1 \\\n {2}--memory-per-worker 256M --coordination-dir "\$dir" &/,
    );
    expect(out).toContain("export TRAINING_COMMAND='node train.js'\n");
    expect(out).toContain('timeout=120\n');
    const pattern = `${jobsDir.replace('%', '%%')}/${stamp}_`;
    const lines = out.split('\n');
    expect(lines).toContain(
      (
        'sbatch --parsable --hold --job-name=skyrl-runtime --partition=debug --nodes=1 --ntasks=1 --cpus-per-task=1 ' +
        `--mem=500M --signal=B:TERM@60 --time=12:00:00 '--output=${pattern}%j/runtime_%j.out' ` +
        `'--error=${pattern}%j/runtime_%j.err' < runtime.sbatch`
      ).replaceAll("it's", `it'\\''s`),
    );
    expect(lines).toContain(
      (
        "sbatch --parsable '--dependency=after:<runtime-job-id>' --kill-on-invalid-dep=yes --job-name=skyrl-training " +
        '--partition=debug --nodes=1 --ntasks-per-node=1 --gres=gpu:1 --cpus-per-task=1 --mem=64G --time=12:00:00 ' +
        `'--output=${pattern}<runtime-job-id>/training_%j.out' '--error=${pattern}<runtime-job-id>/training_%j.err' < training.sbatch`
      ).replaceAll("it's", `it'\\''s`),
    );
    expect(lines).toContain('scontrol release <runtime-job-id>');
    expect(out).toMatch(/# dry run: nothing was submitted\n$/);
  });

  test('both rendered scripts are valid bash', async () => {
    const out = await cli(['workflow', 'launch', '--config', 'dev', '--jobs-dir', jobsDir, '--dry-run']);
    const [, runtime, training] = out.split(/^# ---- .*$/m);
    for (const script of [runtime, training]) {
      expect((await execa('bash', ['-n'], { input: script, reject: false })).exitCode).toBe(0);
    }
  });

  test('RUNTIME_NODES=3: the runtime job spans three nodes, a worker per node by srun, the front on the first', async () => {
    const out = await cli([
      'workflow',
      'launch',
      '--config',
      writeConf(`${GOOD}RUNTIME_NODES=3\nRUNTIME_PORT=9000\n`),
      '--jobs-dir',
      jobsDir,
      '--dry-run',
    ]);
    const [, runtime] = out.split(/^# ---- .*$/m);
    expect(out).toMatch(
      /--job-name=skyrl-runtime --partition=debug --nodes=3 --ntasks-per-node=1 --cpus-per-task=1 --mem=500M /,
    );
    expect(runtime).toContain(
      'srun --nodes=3 --ntasks-per-node=1 --cpus-per-task=1 --kill-on-bad-exit=0 bash "$dir/runtime_worker.sh" "$dir/workers" &',
    );
    expect(runtime).toMatch(
      /sandbox serve --host "\$\{addr:-0\.0\.0\.0\}" \$\{addr:\+--public-host "\$addr"\} --port 9001 /,
    );
    expect(runtime).toMatch(/--server-id "\$id" --coordination-dir "\$1\/\$node"/);
    expect(runtime).toMatch(
      /sandbox front --host "\$\{addr:-0\.0\.0\.0\}" \$\{addr:\+--public-host "\$addr"\} --port 9000 --workers-dir "\$dir\/workers" \\\n {2}--expect-workers 3 --workers-timeout 120 --coordination-dir "\$dir"/,
    );
    expect((await execa('bash', ['-n'], { input: runtime, reject: false })).exitCode).toBe(0);
    const worker = runtime!.split("<<'WORKER'\n")[1]!.split('\nWORKER\n')[0]!;
    expect((await execa('bash', ['-n'], { input: worker, reject: false })).exitCode).toBe(0);
    const single = await cli([
      'workflow',
      'launch',
      '--config',
      writeConf(`${GOOD}RUNTIME_NODES=1\n`),
      '--jobs-dir',
      jobsDir,
      '--dry-run',
    ]);
    expect(single).not.toContain('sandbox front');
  });

  test('--runtime-only shows only the runtime job; --debug turns on SKYRL_DEBUG', async () => {
    const out = await cli([
      'workflow',
      'launch',
      '--config',
      writeConf(GOOD),
      '--jobs-dir',
      jobsDir,
      '--dry-run',
      '--runtime-only',
      '--debug',
    ]);
    expect(out).toContain('# ---- runtime.sbatch');
    expect(out).not.toContain('# ---- training.sbatch');
    expect(out).toContain('export SKYRL_DEBUG=1\n');
    expect(out).toContain('debug=1\n');
  });
});

describe('a bad config stops with one error before anything is submitted', () => {
  test.each([
    ['unknown key', `${GOOD}EXTRA=1\n`, /:16: unknown key EXTRA$/],
    ['missing key', GOOD.replace(/^TIME_LIMIT=.*\n/m, ''), /: missing required key TIME_LIMIT$/],
    [
      'bad size',
      GOOD.replace('RUNTIME_MEMORY=500M', 'RUNTIME_MEMORY=64Q'),
      /:8: RUNTIME_MEMORY="64Q" is not a memory size like 64G/,
    ],
    ['bad time', GOOD.replace('"12:00:00"', '12:75:00'), /:12: TIME_LIMIT="12:75:00" is not a Slurm time limit/],
  ])('%s', async (_, text, message) => {
    const file = writeConf(text);
    await expect(cli(['workflow', 'launch', '--config', file, '--jobs-dir', jobsDir])).rejects.toThrow(message);
    expect(calls()).toEqual([]);
    expect(fs.existsSync(jobsDir)).toBe(false);
  });
});

describe('submission', () => {
  test('runtime held, directory created from its id, training after it, then release', async () => {
    const conf = writeConf(GOOD, 'mine');
    const out = await cli(['workflow', 'launch', '--config', conf, '--jobs-dir', jobsDir, '--json']);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ runtimeJobId: '42', trainingJobId: '43' });
    expect(path.basename(result.dir)).toMatch(/^\d{8}_\d{6}_42$/);
    expect(path.dirname(result.dir)).toBe(jobsDir);
    expect(fs.statSync(result.dir).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(result.dir).sort()).toEqual([
      'launch.json',
      'mine.conf',
      'runtime.sbatch',
      'runtime_job_id.txt',
      'training.sbatch',
      'training_job_id.txt',
    ]);
    expect(fs.readFileSync(path.join(result.dir, 'mine.conf'), 'utf8')).toBe(GOOD);
    expect(fs.readFileSync(path.join(result.dir, 'training_job_id.txt'), 'utf8')).toBe('43\n');
    const [first, second, release] = calls();
    expect(first).toMatch(/^sbatch --parsable --hold --job-name=skyrl-runtime /);
    expect(second).toMatch(
      /^sbatch --parsable --dependency=after:42 --kill-on-invalid-dep=yes --job-name=skyrl-training /,
    );
    expect(second).toContain(`--output=${result.dir.replace('%', '%%')}/training_%j.out`);
    expect(release).toBe('scontrol release 42');
    // what sbatch got on stdin is what was kept in the directory
    expect(fs.readFileSync(path.join(fake, 'script.43'), 'utf8')).toBe(
      fs.readFileSync(path.join(result.dir, 'training.sbatch'), 'utf8'),
    );
  });

  test('a second launch gets a new directory; an existing one is never reused', async () => {
    const conf = writeConf(GOOD);
    const a = JSON.parse(await cli(['workflow', 'launch', '--config', conf, '--jobs-dir', jobsDir, '--json']));
    const b = JSON.parse(await cli(['workflow', 'launch', '--config', conf, '--jobs-dir', jobsDir, '--json']));
    expect(b.dir).not.toBe(a.dir);
    const { createCoordinationDir } = await import('../../src/workflow/coordination.js');
    const [, name] = /^(.*)_(\d+)$/.exec(path.basename(a.dir))!;
    expect(() => createCoordinationDir(jobsDir, name, a.runtimeJobId)).toThrow(
      /already exists; a directory is never reused/,
    );
  });

  test('if the training job is refused, the held runtime job is cancelled', async () => {
    fs.writeFileSync(path.join(fake, 'fail.43'), '');
    await expect(cli(['workflow', 'launch', '--config', writeConf(GOOD), '--jobs-dir', jobsDir])).rejects.toThrow(
      'sbatch refused the training job: sbatch: error: Invalid partition name specified',
    );
    expect(calls().slice(2)).toEqual(['scancel 42']);
  });

  test('--runtime-url: only the training job; the key lands in a 0600 file, never in argv or scripts', async () => {
    const keyFile = path.join(fake, 'key');
    fs.writeFileSync(keyFile, 'sekrit-key-123\n');
    const out = await cli([
      'workflow',
      'launch',
      '--config',
      writeConf(GOOD),
      '--jobs-dir',
      jobsDir,
      '--json',
      '--runtime-url',
      'http://node7:8000',
      '--api-key-file',
      keyFile,
    ]);
    const result = JSON.parse(out);
    expect(result).toMatchObject({ trainingJobId: '42', url: 'http://node7:8000' });
    expect(result.runtimeJobId).toBeUndefined();
    const key = path.join(result.dir, 'runtime_api_key.txt');
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(key, 'utf8')).toBe('sekrit-key-123\n');
    expect(fs.readFileSync(path.join(result.dir, 'runtime_url.txt'), 'utf8')).toBe('http://node7:8000\n');
    expect(fs.existsSync(path.join(result.dir, 'runtime_ready.flag'))).toBe(true);
    expect(calls()[0]).toMatch(/^sbatch --parsable --hold --job-name=skyrl-training /);
    expect(calls().join('\n')).not.toContain('sekrit');
    expect(fs.readFileSync(path.join(fake, 'script.42'), 'utf8')).not.toContain('sekrit');
    expect(fs.readFileSync(path.join(fake, 'script.42'), 'utf8')).toContain(`dir=`);
  });

  test('--runtime-url without a key is refused before submitting', async () => {
    delete process.env.SANDBOX_REMOTE_RUNTIME_API_KEY;
    await expect(
      cli(['workflow', 'launch', '--config', writeConf(GOOD), '--jobs-dir', jobsDir, '--runtime-url', 'http://x:1']),
    ).rejects.toThrow("--runtime-url needs the server's API key");
    expect(calls()).toEqual([]);
  });
});

describe('Slurm commands that are missing or say something odd', () => {
  test('no sbatch on PATH: one line saying so, not "exit undefined"', async () => {
    process.env.PATH = '/nonexistent';
    await expect(cli(['workflow', 'launch', '--config', writeConf(GOOD), '--jobs-dir', jobsDir])).rejects.toThrow(
      'cannot run sbatch: it is not installed here (or not on PATH)',
    );
  });

  test('scontrol printing something that is not JSON: the job is UNKNOWN with the reason, no stack trace', async () => {
    replaceStub('scontrol', '#!/bin/sh\necho "slurm_load_jobs error: Unexpected message"\n', { mode: 0o755 });
    await cli(['workflow', 'launch', '--config', writeConf(GOOD), '--jobs-dir', jobsDir, '--format', 'json']);
    const status = JSON.parse(await cli(['workflow', 'status', '--jobs-dir', jobsDir, '--format', 'json']));
    expect(status.runtime).toMatchObject({
      state: 'UNKNOWN',
      reason: expect.stringContaining('scontrol printed no JSON'),
    });
  });
});

describe('logs --follow', () => {
  test('says which job it waits for while the jobs are pending, once, and ends when both have ended', async () => {
    await cli(['workflow', 'launch', '--config', writeConf(GOOD), '--jobs-dir', jobsDir]);
    // the first two questions (runtime, training) find them pending, later ones finished
    replaceStub(
      'scontrol',
      `#!/bin/sh\nn=$(cat "${fake}/asked" 2>/dev/null || echo 0); echo $((n + 1)) >"${fake}/asked"\n` +
        `if [ "$n" -lt 4 ]; then s=PENDING; else s=COMPLETED; fi\n` +
        `echo '{"jobs":[{"job_state":["'$s'"],"state_reason":"Resources"}]}'\n`,
      { mode: 0o755 },
    );
    let err = '';
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => ((err += String(chunk)), true));
    const { showLogs } = await import('../../src/workflow/logs.js');
    const { resolveCoordinationDir } = await import('../../src/workflow/coordination.js');
    await showLogs(resolveCoordinationDir(jobsDir), true, 5);
    jest.restoreAllMocks();
    const waiting = err.split('\n').filter((l) => l.startsWith('waiting: '));
    expect(waiting).toEqual([
      'waiting: runtime job 42 is pending (Resources), training job 43 is pending (Resources); its log appears when it starts',
    ]);
  });
});
