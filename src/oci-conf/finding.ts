// One lint finding, shared by the linter's rule modules (lint.ts, lint-runtime.ts) and their callers.
// Line 0 means the whole file.
export type Finding = { line: number; key?: string; severity: 'error' | 'warning'; message: string; fix?: string };
