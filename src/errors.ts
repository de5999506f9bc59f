// The one error type every command throws: what went wrong, how to fix it, and the exit code.
// Deep code throws; only the entry points (src/bin/*) print and exit.
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

// What the system said about a file, in words, and what the user can do about it. These come from
// the user's paths, disks and pipes, never from a bug, so they are not "internal errors".
const SYSTEM_ERRORS: Record<string, { says: string; hint?: string }> = {
  ENOENT: { says: 'no such file or directory', hint: 'check the path (a parent directory may be missing)' },
  ENOTDIR: { says: 'a part of the path is not a directory', hint: 'check the path' },
  EISDIR: { says: 'it is a directory, a file is needed', hint: 'name a file, not a directory' },
  EEXIST: { says: 'it already exists', hint: 'choose another name, or remove it first' },
  ENOTEMPTY: { says: 'the directory is not empty', hint: 'choose an empty or new directory' },
  EACCES: { says: 'permission denied', hint: 'check the owner and mode of the path and its parent directories' },
  EPERM: { says: 'operation not permitted', hint: 'check the owner of the path; some changes need root' },
  EROFS: { says: 'the filesystem is read-only', hint: 'write somewhere else' },
  ENOSPC: { says: 'no space left on the device', hint: 'free some space, or write to another filesystem' },
  EDQUOT: { says: 'disk quota exceeded', hint: 'free some space within your quota, or write elsewhere' },
  ENAMETOOLONG: {
    says: 'the name is too long for the filesystem',
    hint: 'use a shorter name (255 bytes a name, 4096 a path)',
  },
  ELOOP: { says: 'too many levels of symbolic links', hint: 'check the symbolic links along the path' },
  EMFILE: { says: 'too many open files', hint: 'raise the limit (ulimit -n) or close other programs' },
  EBUSY: { says: 'the file or device is busy', hint: 'try again when it is no longer in use' },
  EXDEV: { says: 'it is on another filesystem', hint: 'use a path on the same filesystem' },
  EPIPE: { says: 'the output was closed before everything was written (broken pipe)' },
  EIO: { says: 'input/output error', hint: 'the disk or network filesystem failed; check the system log' },
};

// What a system call was doing, from Node's `syscall` name.
const DOING: Record<string, string> = {
  open: 'open',
  read: 'read',
  write: 'write',
  mkdir: 'create directory',
  rmdir: 'remove',
  unlink: 'remove',
  rename: 'replace',
  scandir: 'list',
  stat: 'look at',
  lstat: 'look at',
  chmod: 'change the mode of',
  chown: 'change the owner of',
  copyfile: 'copy',
  symlink: 'link',
  spawn: 'run',
};

type SystemError = NodeJS.ErrnoException & { dest?: string };

// A system error as one line and a hint, or undefined when it is not one a user can cause.
export function describeSystemError(error: unknown): CliError | undefined {
  const e = error as SystemError;
  if (!(error instanceof Error) || typeof e.code !== 'string' || !(e.code in SYSTEM_ERRORS)) return undefined;
  const { says, hint } = SYSTEM_ERRORS[e.code];
  if (e.code === 'EPIPE') return new CliError(`output closed early: ${says}`, 1);
  if (e.syscall?.startsWith('spawn') && e.code === 'ENOENT') {
    return new CliError(
      `cannot run ${e.path ?? 'a program'}: it is not installed (or not on PATH)`,
      1,
      'install it, or add its directory to PATH',
    );
  }
  const doing = DOING[e.syscall?.replace(/^spawn.*/, 'spawn') ?? ''] ?? e.syscall ?? 'use';
  const where = e.path ? ` ${e.path}${e.dest ? ` as ${e.dest}` : ''}` : e.syscall === 'write' ? ' the output' : '';
  return new CliError(`cannot ${doing}${where}: ${says}`, 1, hint);
}

// Turns anything thrown into the lines to print and the exit code; unexpected errors keep their stack.
export function describeError(error: unknown): { lines: string[]; exitCode: number } {
  const known = error instanceof CliError ? error : describeSystemError(error);
  if (known) {
    return { lines: [known.message, ...(known.hint ? [`hint: ${known.hint}`] : [])], exitCode: known.exitCode };
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { lines: [`internal error (please report it): ${stack}`], exitCode: 1 };
}
