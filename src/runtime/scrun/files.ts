// The files a scrun container keeps in its record directory, shared by the runtime's commands and
// the supervisor (each written by one side only, so no locking is needed).
import fs from 'node:fs';
import path from 'node:path';
import type { Globals } from '../context.js';
import type { CreateOptions } from '../backends/types.js';

export type SupervisorFiles = {
  // written by create, read by the supervisor
  create: { options: CreateOptions; globals: Globals };
  // written by the supervisor as it starts
  supervisor: { pid: number; start: number };
  // written by `start`: the supervisor waits for it before it runs scrun (which starts the
  // container's process already at `scrun create`, so it cannot run before our start)
  'start-request': { at: string };
  // written by the supervisor once scrun create succeeded: the container runs
  anchor: { pid: number; start?: number; jobId?: number };
  // written by the supervisor when scrun create failed
  failed: { error: string; hint?: string };
  // written by the supervisor as it ends
  exit: { exitCode: number; how: string };
};

// Reads NAME.json from DIR, or undefined if it is not there (yet).
export function readFile<K extends keyof SupervisorFiles>(dir: string, name: K): SupervisorFiles[K] | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as SupervisorFiles[K];
  } catch {
    return undefined;
  }
}

// Writes NAME.json into DIR (rename into place: readers never see half a file).
export function writeFile<K extends keyof SupervisorFiles>(dir: string, name: K, data: SupervisorFiles[K]): void {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(data));
  fs.renameSync(`${file}.tmp`, file);
}
