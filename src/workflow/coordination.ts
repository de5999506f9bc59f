// The coordination directory of one launch, `<root>/YYYYMMDD_HHMMSS_<first job id>/` (0700): the
// files both jobs and the `workflow` commands share. A directory is created once and never reused.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { ensurePrivateDir } from '../util/private-dir.js';

// File names inside a coordination directory (the sbatch templates use the same names).
export const FILES = {
  url: 'runtime_url.txt',
  key: 'runtime_api_key.txt',
  ready: 'runtime_ready.flag',
  failed: 'runtime_failed.flag',
  complete: 'training_complete.flag',
  runtimeJob: 'runtime_job_id.txt',
  trainingJob: 'training_job_id.txt',
  launch: 'launch.json',
  runtimeScript: 'runtime.sbatch',
  trainingScript: 'training.sbatch',
} as const;

const DIR_NAME = /^(\d{8})_(\d{6})_(\d+)$/;

// The YYYYMMDD_HHMMSS stamp of a launch, in local time like `date +%Y%m%d_%H%M%S`.
export function stamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}_${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

// Makes ROOT 0700 and ours (or refuses it), then the launch's own directory, which must not exist yet.
export function createCoordinationDir(root: string, dirStamp: string, jobId: string): string {
  ensurePrivateDir(root);
  const dir = path.join(root, `${dirStamp}_${jobId}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new CliError(`coordination directory ${dir} already exists; a directory is never reused`, 1, 'launch again');
  }
  fs.chmodSync(dir, 0o700);
  return dir;
}

// Coordination directories under ROOT, newest first.
export function listCoordinationDirs(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  const key = (name: string) => {
    const m = DIR_NAME.exec(name)!;
    return `${m[1]}${m[2]}${m[3].padStart(12, '0')}`;
  };
  return fs
    .readdirSync(root)
    .filter((name) => DIR_NAME.test(name) && fs.statSync(path.join(root, name)).isDirectory())
    .sort((a, b) => key(b).localeCompare(key(a)))
    .map((name) => path.join(root, name));
}

// DIR as given (a path, or a name under ROOT), or the newest launch when DIR is omitted.
export function resolveCoordinationDir(root: string, dir?: string): string {
  if (dir === undefined) {
    const newest = listCoordinationDirs(root)[0];
    if (!newest) throw new CliError(`no coordination directories under ${root}`, 1, 'launch one, or pass --jobs-dir');
    return newest;
  }
  for (const candidate of [path.resolve(dir), path.join(root, dir)]) {
    if (fs.existsSync(path.join(candidate, FILES.launch))) return candidate;
  }
  throw new CliError(`${dir} is not a workflow coordination directory`, 2, 'see `slurm-oci workflow list`');
}

// Reads a small file of the directory, trimmed, or undefined when it does not exist (yet).
export function readCoordinationFile(dir: string, name: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, name), 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// A job id read from FILE of the directory (a number, or ARRAY_TASK), or undefined when the file
// is not there yet; anything else is refused, so a file cannot smuggle an option into scancel.
export function readJobId(dir: string, name: string): string | undefined {
  const id = readCoordinationFile(dir, name);
  if (id === undefined || id === '') return undefined;
  if (!/^\d+(_\d+)?$/.test(id)) {
    throw new CliError(
      `${path.join(dir, name)} does not hold a job id: ${JSON.stringify(id.slice(0, 40))}`,
      1,
      'the directory was changed by hand or by someone else; check it before stopping anything',
    );
  }
  return id;
}

// Whether a flag file is there.
export const hasFlag = (dir: string, name: string): boolean => fs.existsSync(path.join(dir, name));

// The job logs of a launch (runtime_<id>.out/.err, training_<id>.out/.err), runtime first.
export function logFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => /^(runtime|training)_\d+\.(out|err)$/.test(name))
    .sort()
    .map((name) => path.join(dir, name));
}
