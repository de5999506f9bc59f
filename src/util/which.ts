// Finds programs by absolute path: configured paths first, then PATH, then the system directories
// (Podman gives the runtime a minimal PATH, and runc lives in /usr/sbin on Debian).
import fs from 'node:fs';
import path from 'node:path';

const SYSTEM_DIRS = ['/usr/local/bin', '/usr/local/sbin', '/usr/bin', '/usr/sbin', '/bin', '/sbin'];

// The absolute path of program NAME: configured, else ENV's PATH, else the system directories.
export function which(
  name: string,
  paths: Record<string, string> = {},
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (paths[name]) return paths[name];
  const dirs = [...(env.PATH ?? '').split(':').filter(Boolean), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return path.resolve(file);
    } catch {
      // not here
    }
  }
  return undefined;
}
