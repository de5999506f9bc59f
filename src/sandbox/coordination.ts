// The hand-shake with the training job through a shared directory (the SkyRL Slurm layout):
// runtime_url.txt and runtime_api_key.txt (0600) first, runtime_ready.flag last, once the server
// answers; training_complete.flag tells the server to stop.
import fs from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import { writeFileAtomic } from '../util/files.js';

// The file names of the contract with the workflow (issue 5) and its launch script.
export const URL_FILE = 'runtime_url.txt';
export const KEY_FILE = 'runtime_api_key.txt';
export const READY_FLAG = 'runtime_ready.flag';
export const COMPLETE_FLAG = 'training_complete.flag';

// Makes DIR (0700) or takes an existing one only if it is a directory of this user, and closes it
// to others (another user who can write there could replace runtime_url.txt and collect the key);
// then removes a ready flag left by an earlier server, so nobody trusts it before this one is ready.
export function prepareDir(dir: string): void {
  try {
    if (!fs.lstatSync(dir, { throwIfNoEntry: false })) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new CliError(
      `cannot make the coordination directory ${dir}: ${(error as NodeJS.ErrnoException).code}`,
      2,
      'give a directory you can write',
    );
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory())
    throw new CliError(`the coordination directory ${dir} is not a directory`, 2, 'give a directory');
  if (st.uid !== process.getuid?.()) {
    throw new CliError(
      `the coordination directory ${dir} belongs to uid ${st.uid}, not to you`,
      2,
      'give a directory of your own',
    );
  }
  if (st.mode & 0o077) fs.chmodSync(dir, 0o700);
  fs.rmSync(path.join(dir, READY_FLAG), { force: true });
}

// Writes the API key file (0600, atomically).
export function writeKey(dir: string, key: string): void {
  writeFileAtomic(path.join(dir, KEY_FILE), `${key}\n`, 0o600);
}

// Writes the URL, then the ready flag: a reader that sees the flag finds the URL and key complete.
export function announce(dir: string, url: string): void {
  writeFileAtomic(path.join(dir, URL_FILE), `${url}\n`);
  writeFileAtomic(path.join(dir, READY_FLAG), `${new Date().toISOString()}\n`);
}

// Polls for training_complete.flag (polling, because inotify misses writes made on other nodes of
// a shared file system); calls ONCOMPLETE once. Returns a function that stops watching.
export function watchForCompletion(dir: string, onComplete: () => void, intervalMs = 1000): () => void {
  const flag = path.join(dir, COMPLETE_FLAG);
  const timer = setInterval(() => {
    if (!fs.existsSync(flag)) return;
    clearInterval(timer);
    onComplete();
  }, intervalMs);
  return () => clearInterval(timer);
}

// The URL clients use: the node's name when listening on every address, else the address given.
export function publicUrl(host: string, port: number, nodeName: string): string {
  const shown = host === '0.0.0.0' || host === '::' ? nodeName : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}
