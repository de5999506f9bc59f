// What a doctor check is and returns. Each check gathers facts through Host (so it can be timed out
// and its subprocesses killed) and judges them in a plain function the unit tests call directly.
import type { Host } from './host.js';

export type Status = 'ok' | 'warn' | 'fail' | 'skip';

// One line of the report: what was found and, when it is not ok, how to fix it.
export type Finding = { status: Status; detail: string; fix?: string };
export type CheckResult = Finding & { name: string };

export type Check = { name: string; run: (host: Host) => Promise<Finding> };

// Shorthands for judges.
export const ok = (detail: string): Finding => ({ status: 'ok', detail });
export const skip = (detail: string): Finding => ({ status: 'skip', detail });
export const warn = (detail: string, fix: string): Finding => ({ status: 'warn', detail, fix });
export const fail = (detail: string, fix: string): Finding => ({ status: 'fail', detail, fix });
