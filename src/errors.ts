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

// Turns anything thrown into the lines to print and the exit code; unexpected errors keep their stack.
export function describeError(error: unknown): { lines: string[]; exitCode: number } {
  if (error instanceof CliError) {
    return { lines: [error.message, ...(error.hint ? [`hint: ${error.hint}`] : [])], exitCode: error.exitCode };
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { lines: [`internal error (please report it): ${stack}`], exitCode: 1 };
}
