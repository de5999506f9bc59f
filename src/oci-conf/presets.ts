// The presets of `generate oci-conf`: one per runtime on Slurm's containers page, written from the
// page's intent rather than its examples (which carry %t ids that miss at cleanup, OCIRunTime*
// names Slurm never accepted, and an unquoted Enroot wrapper). Values are Slurm patterns.
import { shellQuote } from '../util/shell.js';
import { atLeast, type SlurmVersion } from './keys.js';
import type { OciConf } from './parse.js';

// Options as validated by schemas/oci-conf-options.schema.json.
export type GenerateOptions = {
  preset: PresetName;
  slurmVersion?: string;
  runtime?: string;
  runtimeArgs?: string[];
  root?: string;
  containerId?: string;
  backend?: 'crun' | 'runc';
  helperDir?: string;
  set?: Record<string, string | boolean | string[] | null>;
};

// A script a preset needs: rendered from TEMPLATE, installed at INSTALL (a plain path).
export type Helper = { name: string; install: string; template: string; data: object };

// What a preset builds: the keys, the helper scripts, and comment lines for the file header.
export type Built = { conf: OciConf; helpers: Helper[]; notes: string[] };

type Globals = (o: GenerateOptions, v: SlurmVersion) => string[];
type Preset = { describe: string; since: SlurmVersion; build: (o: GenerateOptions, v: SlurmVersion) => Built };

// The default id of a step's containers (run mode appends .%t per task); cleanup runs with %t = -1.
export const DEFAULT_CONTAINER_ID = '%n.%u.%j.%s';
const EXCLUDE = '^(SLURM_CONF|SLURM_CONF_SERVER)=';
// Before 23.02 there is no %U: the shell finds the uid when the command runs.
const userRoot = (v: SlurmVersion) => (atLeast(v, '23.02') ? '/run/user/%U/' : '/run/user/$(id -u)/');
// A helper path inside a pattern value: `%` is literal there, so it is doubled.
const helperPath = (dir: string, name: string) =>
  shellQuote(`${dir.replace(/\/+$/, '')}/${name}`).replaceAll('%', '%%');
const excludes = (v: SlurmVersion): OciConf =>
  atLeast(v, '23.02') ? { EnvExclude: EXCLUDE, RunTimeEnvExclude: EXCLUDE } : {};

// A runc-compatible runtime driven in run or create/start mode.
// PROGRAM gives the command words, GLOBALS its global arguments (both already shell-quoted).
// Run mode names each task's container STEP.%t, so several tasks of a step can share a node; at
// cleanup slurmstepd expands %t to -1, so Query/Kill/Delete act on every container whose id starts
// with STEP. `list -q` (crun, runc, slurm-oci-runtime) has its stderr dropped: runc complains there
// about other runtimes' entries in a shared root, which would spoil Query's JSON. Kill signals the
// container's init, not `kill -a`: rootless `crun kill -a` exited 0 without signalling anything here.
const eachOfStep = (base: string, step: string, action: string) =>
  `for id in $(${base} list -q 2>/dev/null); do case $id in ${step}.*) ${base} ${action} $id;; esac; done`;

// A runc-compatible runtime. LISTS: it has `list -q`, so run mode gets per-task ids; otherwise (and in
// create/start mode, whose Query must name the task's own container) one container per step and node.
function ociRuntime(
  program: string | ((o: GenerateOptions) => string),
  mode: 'run' | 'create',
  globals: Globals,
  lists = true,
): Preset['build'] {
  return (o, v) => {
    const command = typeof program === 'string' ? shellQuote(o.runtime ?? program) : program(o);
    const base = [command, ...globals(o, v), ...(o.runtimeArgs ?? []).map(shellQuote)].join(' ');
    const step = o.containerId ?? DEFAULT_CONTAINER_ID;
    if (mode === 'run' && lists) {
      const conf: OciConf = {
        ...excludes(v),
        RunTimeQuery: `for id in $(${base} list -q 2>/dev/null); do case $id in ${step}.*) exec ${base} state $id;; esac; done`,
        RunTimeRun: `${base} run --bundle %b ${step}.%t`,
        RunTimeKill: eachOfStep(base, step, 'kill'),
        RunTimeDelete: eachOfStep(base, step, 'delete --force'),
      };
      return { conf, helpers: [], notes: [] };
    }
    const conf: OciConf = { ...excludes(v), RunTimeQuery: `${base} state ${step}` };
    if (mode === 'run') conf.RunTimeRun = `${base} run --bundle %b ${step}`;
    else
      Object.assign(conf, {
        RunTimeCreate: `${base} create --bundle %b ${step}`,
        RunTimeStart: `${base} start ${step}`,
      });
    Object.assign(conf, {
      RunTimeKill: `${base} kill ${step}`,
      RunTimeDelete: `${base} delete${lists ? ' --force' : ''} ${step}`,
    });
    const notes = ['one container per step and node: a step with several tasks on one node fails (the id is taken)'];
    if (mode === 'create')
      notes.push(
        'create/start mode: Slurm polls RunTimeQuery and does not pass the exit code through, and with crun 1.21 and runc on Slurm 24.11 the step hung; prefer the run preset.',
      );
    return { conf, helpers: [], notes };
  };
}

const rootless: Globals = (o, v) => [
  '--rootless=true',
  o.root ? shellQuote(`--root=${o.root}`) : `--root=${userRoot(v)}`,
];
// IgnoreFileConfigJson presets: the runtime gets the task's argv (%@) and is signalled by pid.
// Signal names without SIG: /bin/sh is dash on Debian, whose kill rejects `-s SIGTERM` (the page's spelling).
const byPid = (run: string, term: string, kill: string): OciConf => ({
  IgnoreFileConfigJson: true,
  EnvExclude: EXCLUDE,
  RunTimeEnvExclude: EXCLUDE,
  RunTimeRun: run,
  RunTimeKill: `kill -s ${term} %p`,
  RunTimeDelete: `kill -s ${kill} %p`,
});

const ENROOT_DIR = '/usr/local/bin';
const MULTI_DIR = '/opt/slurm-oci';

// Every preset by name.
export const PRESETS = {
  'runc-run': {
    describe: 'runc, rootless, run mode (recommended for runc)',
    since: '21.08',
    build: ociRuntime('runc', 'run', rootless),
  },
  'runc-create': {
    describe: 'runc, rootless, create/start mode (polls)',
    since: '21.08',
    build: ociRuntime('runc', 'create', rootless),
  },
  'crun-run': {
    describe: 'crun, rootless, run mode (recommended)',
    since: '21.08',
    build: ociRuntime('crun', 'run', rootless),
  },
  'crun-create': {
    describe: 'crun, rootless, create/start mode (polls)',
    since: '21.08',
    build: ociRuntime('crun', 'create', rootless),
  },
  'nvidia-run': {
    describe: 'nvidia-container-runtime, rootless, run mode',
    since: '21.08',
    build: ociRuntime('nvidia-container-runtime', 'run', rootless),
  },
  'nvidia-create': {
    describe: 'nvidia-container-runtime, rootless, create/start mode (polls)',
    since: '21.08',
    build: ociRuntime('nvidia-container-runtime', 'create', rootless),
  },
  'slurm-oci-runtime': {
    describe: "this project's runtime (slurm-oci-runtime over crun or runc), run mode",
    since: '23.02',
    build: (o, v) => {
      const built = ociRuntime('slurm-oci-runtime', 'run', (o) => [
        '--backend',
        o.backend ?? 'crun',
        '--root',
        shellQuote(o.root ?? '/run/user/%U/slurm-oci'),
      ])(o, v);
      const needs = `slurm-oci-runtime (this package, with Node.js 20.19+ and ${o.backend ?? 'crun'}) must be installed on every compute node, on the PATH slurmstepd uses or named with --runtime: npm install -g slurm-oci`;
      return { ...built, notes: [...built.notes, needs] };
    },
  },
  'singularity-userns': {
    describe: 'Singularity/Apptainer in a user namespace (IgnoreFileConfigJson)',
    since: '23.02',
    build: (o) => ({
      conf: byPid(`${shellQuote(o.runtime ?? 'singularity')} exec --userns %r %@`, 'TERM', 'KILL'),
      helpers: [],
      notes: [],
    }),
  },
  'singularity-oci': {
    describe: 'Singularity OCI mode through sudo (testing only: a security risk)',
    since: '21.08',
    build: (o, v) => {
      const built = ociRuntime(
        (o) => `sudo ${shellQuote(o.runtime ?? 'singularity')} oci`,
        'run',
        () => [],
        false,
      )(o, v);
      return {
        ...built,
        notes: [
          ...built.notes,
          'WARNING: Singularity OCI mode needs sudo or setuid binaries; users can modify these calls, so this is a security risk. For testing only; upstream OCI development appears to have ceased: prefer singularity-userns.',
        ],
      };
    },
  },
  charliecloud: {
    describe: 'Charliecloud ch-run (IgnoreFileConfigJson)',
    since: '23.02',
    build: (o) => ({
      conf: {
        ...byPid(
          `env -i PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin USER=%u HOME=/home/%u ${shellQuote(o.runtime ?? 'ch-run')} -w --bind /etc/group:/etc/group --bind /etc/passwd:/etc/passwd --bind /etc/slurm:/etc/slurm --bind %m:/var/run/slurm --bind /var/run/munge:/var/run/munge --set-env=%e --no-passwd %r -- %@`,
          'TERM',
          'KILL',
        ),
        CreateEnvFile: 'newline',
      },
      helpers: [],
      notes: [],
    }),
  },
  enroot: {
    describe: 'NVIDIA Enroot through a start wrapper (IgnoreFileConfigJson)',
    since: '23.02',
    build: (o) => {
      const dir = o.helperDir ?? ENROOT_DIR;
      return {
        conf: {
          ...byPid(`${helperPath(dir, 'enroot-start-wrapper')} %b %m %e -- %@`, 'INT', 'TERM'),
          CreateEnvFile: 'newline',
        },
        helpers: [
          {
            name: 'enroot-start-wrapper',
            install: `${dir}/enroot-start-wrapper`,
            template: 'oci-templates/enroot-start-wrapper.hbs',
            data: { enroot: o.runtime ?? 'enroot' },
          },
        ],
        notes: [],
      };
    },
  },
  'multi-runtime': {
    describe: 'dispatcher: ~/.slurm-oci-run if the user has one, else Apptainer',
    since: '23.02',
    build: (o) => {
      const dir = (o.helperDir ?? MULTI_DIR).replace(/\/+$/, '');
      const runner = (user: boolean) => ({
        template: 'oci-templates/slurm-oci-run-default.hbs',
        data: { user, apptainer: o.runtime ?? 'apptainer' },
      });
      return {
        conf: byPid(`${helperPath(dir, 'run')} %b %m %u %U %n %j %s %t %@`, 'TERM', 'KILL'),
        helpers: [
          {
            name: 'run',
            install: `${dir}/run`,
            template: 'oci-templates/slurm-oci-run.hbs',
            data: { defaultRunner: `${dir}/slurm-oci-run-default` },
          },
          { name: 'slurm-oci-run-default', install: `${dir}/slurm-oci-run-default`, ...runner(false) },
          {
            name: 'slurm-oci-run.user-example',
            install: '~/.slurm-oci-run (each user who wants their own, mode 0700)',
            ...runner(true),
          },
        ],
        notes: [
          'Users may put an executable ~/.slurm-oci-run (same arguments as slurm-oci-run-default) to choose their own runtime.',
        ],
      };
    },
  },
} satisfies Record<string, Preset>;

export type PresetName = keyof typeof PRESETS;
// The preset names, for --preset choices and the schema's enum.
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];
