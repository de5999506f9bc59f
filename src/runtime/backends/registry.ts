// The backend module that implements a container's backend; scrun's is loaded only when needed.
import type { Context } from '../context.js';
import { declineIfRemote } from '../io.js';
import type { BackendName } from '../store.js';
import { local } from './local.js';
import type { Backend } from './types.js';

// The runtime server declines scrun's create, start and run (the supervisor must be the caller's
// child, and start waits for the allocation); it serves scrun's state, kill and delete.
export async function backendFor(ctx: Context, name: BackendName, command: string): Promise<Backend> {
  if (name === 'scrun') {
    if (command === 'create' || command === 'start' || command === 'run') declineIfRemote(ctx.io, 'the scrun backend');
    return (await import('./scrun.js')).scrun;
  }
  return local;
}
