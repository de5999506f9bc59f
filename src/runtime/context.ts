// What every command gets: runc's global flags, the state store they select, and the call's own
// io, log, environment and working directory (the runtime server runs many calls in one process,
// so nothing of a call lives in module state or process.env).
import type { Io } from './io.js';
import type { Log } from './log.js';
import type { Store } from './store.js';

export type Globals = {
  root?: string;
  log?: string;
  logFormat: 'text' | 'json';
  debug: boolean;
  systemdCgroup: boolean;
  rootless?: string;
  cgroupManager?: string;
  backend?: string;
};

export type Call = { io: Io; env: NodeJS.ProcessEnv; cwd: string };

export type Context = Call & { globals: Globals; store: Store; log: Log };
