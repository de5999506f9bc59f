// What every command gets: runc's global flags and the state store they select.
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

export type Context = { globals: Globals; store: Store };
