// The RunTime* rules of get_oci_conf() (which combinations Slurm accepts) and the warnings about
// commands that Slurm accepts but that fail, hang or leak at run time.
import { atLeast, RUNTIME_KEYS, type SlurmVersion } from './keys.js';
import type { Finding } from './finding.js';
import type { OciConf } from './parse.js';
import { patternLetters } from './patterns.js';

type Lines = Map<string, number>;

// What each mode needs besides its own command (run mode also needed Query before 23.02).
const CREATE_NEEDS = ['RunTimeCreate', 'RunTimeStart', 'RunTimeQuery', 'RunTimeKill', 'RunTimeDelete'];
const runNeeds = (version: SlurmVersion) => [
  'RunTimeRun',
  'RunTimeKill',
  'RunTimeDelete',
  ...(atLeast(version, '23.02') ? [] : ['RunTimeQuery']),
];

// Errors for a RunTime* combination Slurm rejects ("oci.conf present but missing required options", ...).
function lintMode(conf: OciConf, at: (key: string) => number, version: SlurmVersion): Finding[] {
  const has = (k: string) => typeof conf[k] === 'string';
  const error = (line: number, message: string, fix: string, key?: string): Finding => ({
    line,
    key,
    severity: 'error',
    message,
    fix,
  });
  if (!RUNTIME_KEYS.some(has))
    return [
      error(
        0,
        'no RunTime* key: Slurm rejects the file ("oci.conf present but missing required options")',
        'generate one with `slurm-oci generate oci-conf --preset crun-run`',
      ),
    ];
  if (has('RunTimeRun') && (has('RunTimeCreate') || has('RunTimeStart'))) {
    return [
      error(
        at('RunTimeRun'),
        'RunTimeRun (run mode) is mixed with RunTimeCreate/RunTimeStart (create/start mode); Slurm rejects the file',
        'keep RunTimeRun, Kill, Delete (and Query) and remove Create and Start',
        'RunTimeRun',
      ),
    ];
  }
  const needs = has('RunTimeRun') ? runNeeds(version) : CREATE_NEEDS;
  const mode = has('RunTimeRun') ? 'run mode' : 'create/start mode';
  return needs
    .filter((k) => !has(k))
    .map((k) =>
      error(
        0,
        `${mode} needs ${k}; Slurm rejects the file ("All other RunTime* configurations items must be populated")`,
        `add ${k}`,
        k,
      ),
    );
}

// Warnings about commands: polling, ids that miss at cleanup, privilege, lingering, `%b` and `%@`.
function lintCommands(conf: OciConf, at: (key: string) => number, version: SlurmVersion): Finding[] {
  const findings: Finding[] = [];
  const warn = (key: string, message: string, fix: string) =>
    findings.push({ line: at(key), key, severity: 'warning', message, fix });
  const ignoreConfig = conf.IgnoreFileConfigJson === true && atLeast(version, '23.02');
  const cmd = (k: string) => (typeof conf[k] === 'string' ? (conf[k] as string) : undefined);
  if (cmd('RunTimeCreate') && !cmd('RunTimeRun'))
    warn(
      'RunTimeCreate',
      'create/start mode: Slurm polls RunTimeQuery for the whole step and does not pass the exit code through; with crun 1.21 and with runc on Slurm 24.11 the step hangs (the created container keeps the output pipe of RunTimeCreate open and slurmstepd reads it to EOF; `slurm-oci check oci-conf` shows it)',
      'use run mode (RunTimeRun) if the runtime has `run`',
    );
  for (const k of ['RunTimeKill', 'RunTimeDelete', ...(cmd('RunTimeRun') ? ['RunTimeQuery'] : [])]) {
    if (cmd(k) && patternLetters(cmd(k)!).has('t'))
      warn(
        k,
        `${k} names the container with %t, but slurmstepd cleans up without a task (%t = -1): the id does not match and the container is left behind`,
        'use an id without %t, e.g. %n.%u.%j.%s, in every RunTime* command',
      );
  }
  const privileged = RUNTIME_KEYS.find((k) =>
    /(^|[\s;&|(])(sudo|doas|pkexec)\s|singularity\s+oci\s/.test(cmd(k) ?? ''),
  );
  if (privileged)
    warn(
      privileged,
      `${privileged} runs a privileged (sudo or setuid) runtime: users control the bundle and config.json it reads`,
      'prefer a rootless runtime (crun, runc --rootless, Apptainer/Singularity --userns)',
    );
  const dashKill = RUNTIME_KEYS.find((k) => /(^|[\s;&|(])kill\s+-s\s+SIG[A-Z]/.test(cmd(k) ?? ''));
  if (dashKill)
    warn(
      dashKill,
      `${dashKill} uses \`kill -s SIG...\`: Slurm runs it with /bin/sh, and dash (Debian, Ubuntu) rejects SIG-prefixed names ("invalid signal number or name")`,
      'write the name without SIG, e.g. kill -s TERM %p',
    );
  const lingering = RUNTIME_KEYS.find((k) => /\/run\/user\/(%U|\$\(id -u\))/.test(cmd(k) ?? ''));
  if (lingering)
    warn(
      lingering,
      'the runtime root is under /run/user/%U, which exists only while the user has a session on the node',
      'enable lingering for every user (`loginctl enable-linger USER`) or choose a root that always exists',
    );
  const main = cmd('RunTimeRun') ? 'RunTimeRun' : 'RunTimeCreate';
  if (!ignoreConfig && cmd(main) && !patternLetters(cmd(main)!).has('b'))
    warn(
      main,
      `${main} does not pass the bundle (%b), where Slurm writes the rewritten config.json: a runtime that looks in its working directory fails (crun: "cannot read the file: config.json")`,
      `add --bundle %b to ${main}`,
    );
  for (const k of ['RunTimeRun', 'RunTimeCreate']) {
    if (!ignoreConfig && cmd(k) && patternLetters(cmd(k)!).has('@'))
      warn(
        k,
        `${k} uses %@, which is empty when config.json is used (the command is moved into config.json)`,
        'set IgnoreFileConfigJson=true or drop %@',
      );
  }
  const containerPath = typeof conf.ContainerPath === 'string' ? conf.ContainerPath : undefined;
  if (
    containerPath &&
    atLeast(version, '25.05') &&
    (patternLetters(containerPath).has('t') || /oci-job|task-/.test(containerPath))
  ) {
    warn(
      'ContainerPath',
      `since Slurm 25.05 ContainerPath is the parent directory: Slurm appends /oci-job%j-%s/task-%t itself, so a per-task pattern here nests them twice`,
      'give only the parent directory, e.g. ContainerPath=/var/spool/slurm-oci (or target 24.11 with --slurm-version)',
    );
  }
  if (containerPath && !atLeast(version, '25.05') && !patternLetters(containerPath).has('t')) {
    warn(
      'ContainerPath',
      `before Slurm 25.05 ContainerPath is the whole per-task directory: without %t the tasks of a step share one directory (and one config.json)`,
      'end it with /oci-job%j-%s/task-%t, or target 25.05+ with --slurm-version',
    );
  }
  if (ignoreConfig && !cmd('RunTimeRun')) {
    // Slurm parses the file, but slurmstepd stops every --container step: to an admin that is a rejection.
    findings.push({
      line: at('IgnoreFileConfigJson'),
      key: 'IgnoreFileConfigJson',
      severity: 'error',
      message:
        'IgnoreFileConfigJson=true without RunTimeRun: every --container step fails (slurmstepd: "IgnoreFileConfigJson=true and RunTimeStart are mutually exclusive")',
      fix: 'set RunTimeRun',
    });
  }
  return findings;
}

// All RunTime* findings for the model CONF (LINES: where each key was last set).
export function lintRuntime(conf: OciConf, lines: Lines, version: SlurmVersion): Finding[] {
  const at = (key: string) => lines.get(key) ?? 0;
  const ignoreConfig = conf.IgnoreFileConfigJson === true && atLeast(version, '23.02');
  return [...(ignoreConfig ? [] : lintMode(conf, at, version)), ...lintCommands(conf, at, version)];
}
