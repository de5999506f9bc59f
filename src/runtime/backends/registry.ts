// The backend module that implements a container's backend; scrun's is loaded only when needed.
import type { BackendName } from '../store.js';
import { local } from './local.js';
import type { Backend } from './types.js';

export async function backendFor(name: BackendName): Promise<Backend> {
  return name === 'scrun' ? (await import('./scrun.js')).scrun : local;
}
