// The oci.conf key table by Slurm version (src/common/oci_config.c; 21.08/22.05: read_oci_conf.c).
// One table feeds the parser (which keys exist), the linter (value kinds) and the writer (order).

// Slurm releases whose oci.conf this project knows, oldest first.
export const SLURM_VERSIONS = [
  '21.08',
  '22.05',
  '23.02',
  '23.11',
  '24.05',
  '24.11',
  '25.05',
  '25.11',
  '26.05',
] as const;
export type SlurmVersion = (typeof SLURM_VERSIONS)[number];
// The version assumed when none is given or detected: the newest release.
export const DEFAULT_SLURM_VERSION: SlurmVersion = '26.05';

// How Slurm reads a value: `pattern` strings get `%` expansion, `regex` is POSIX ERE, `array` repeats.
export type ValueKind =
  'pattern' | 'string' | 'boolean' | 'createEnvFile' | 'regex' | 'array' | 'logLevel' | 'debugFlags';

// One key: its name, how Slurm reads its value, and the first release that has it.
export type KeySpec = { name: string; kind: ValueKind; since: SlurmVersion };

// In Slurm's table order, which is also the order the writer emits.
export const KEYS: readonly KeySpec[] = [
  { name: 'IgnoreFileConfigJson', kind: 'boolean', since: '23.02' },
  { name: 'ContainerPath', kind: 'pattern', since: '21.08' },
  { name: 'CreateEnvFile', kind: 'createEnvFile', since: '21.08' },
  { name: 'DisableHooks', kind: 'string', since: '23.02' },
  { name: 'EnvExclude', kind: 'regex', since: '23.02' },
  { name: 'MountSpoolDir', kind: 'pattern', since: '23.02' },
  { name: 'RunTimeEnvExclude', kind: 'regex', since: '23.02' },
  { name: 'RunTimeQuery', kind: 'pattern', since: '21.08' },
  { name: 'RunTimeCreate', kind: 'pattern', since: '21.08' },
  { name: 'RunTimeStart', kind: 'pattern', since: '21.08' },
  { name: 'RunTimeRun', kind: 'pattern', since: '21.08' },
  { name: 'RunTimeKill', kind: 'pattern', since: '21.08' },
  { name: 'RunTimeDelete', kind: 'pattern', since: '21.08' },
  { name: 'SrunPath', kind: 'string', since: '23.02' },
  { name: 'SrunArgs', kind: 'array', since: '23.02' },
  { name: 'DisableCleanup', kind: 'boolean', since: '23.02' },
  { name: 'StdIODebug', kind: 'logLevel', since: '23.02' },
  { name: 'SyslogDebug', kind: 'logLevel', since: '23.02' },
  { name: 'FileDebug', kind: 'logLevel', since: '23.02' },
  { name: 'DebugFlags', kind: 'debugFlags', since: '23.02' },
];

// The six RunTime* keys, whose combination decides the mode.
export const RUNTIME_KEYS = [
  'RunTimeQuery',
  'RunTimeCreate',
  'RunTimeStart',
  'RunTimeRun',
  'RunTimeKill',
  'RunTimeDelete',
] as const;

// True when version A is B or later.
export const atLeast = (a: string, b: SlurmVersion): boolean =>
  SLURM_VERSIONS.indexOf(a as SlurmVersion) >= SLURM_VERSIONS.indexOf(b);

// The keys Slurm VERSION parses.
export const keysFor = (version: SlurmVersion): KeySpec[] => KEYS.filter((k) => atLeast(version, k.since));

// Looks a key up case-insensitively (as Slurm does) in the whole table, whatever the version.
export const findKey = (name: string): KeySpec | undefined =>
  KEYS.find((k) => k.name.toLowerCase() === name.toLowerCase());

// Slurm's boolean words (s_p_handle_boolean), lower case.
export const TRUE_WORDS = ['yes', 'up', 'true', '1'];
// (and the false ones)
export const FALSE_WORDS = ['no', 'down', 'false', '0'];

// CreateEnvFile words from 23.02 on (get_oci_conf), lower case, by the file they ask for.
export const CREATE_ENV_FILE_WORDS = {
  null: ['null', 'true', 'y', 'yes', '1'],
  newline: ['newline'],
  disabled: ['false', 'disabled', 'n', 'no', '0'],
};

// Log levels StdIODebug/SyslogDebug/FileDebug accept (log_string2num), besides plain numbers.
export const LOG_LEVELS = [
  'quiet',
  'fatal',
  'error',
  'info',
  'verbose',
  'debug',
  'debug2',
  'debug3',
  'debug4',
  'debug5',
];

// Turns a user-supplied version ("24.11.3", "slurm 24.11.1") into a known release, or undefined.
export function normalizeVersion(text: string): SlurmVersion | undefined {
  const m = /(\d+)\.(\d+)/.exec(text);
  if (!m) return undefined;
  const v = `${m[1]}.${m[2].padStart(2, '0')}`;
  return (SLURM_VERSIONS as readonly string[]).includes(v) ? (v as SlurmVersion) : undefined;
}
