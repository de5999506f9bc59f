// Workflow configs for tests: a small valid config and a way to write variants of it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// A complete, valid config (the e2e test config has the same keys).
export const GOOD = `GPU_PARTITION=debug
CPU_PARTITION=debug
GPU_NODES=1
GPUS_PER_NODE=1
TRAINING_CPUS=1
TRAINING_MEMORY=64G
CPUS_FOR_RUNTIME=1
RUNTIME_MEMORY=500M
CPUS_PER_WORKER=1
MEMORY_PER_WORKER=256M
MAX_PARALLEL_AGENTS=2
TIME_LIMIT="12:00:00"
RUNTIME_READY_TIMEOUT=120
CONTAINER_IMAGE=localhost/busybox
TRAINING_COMMAND='node train.js'
`;

// Writes TEXT to a fresh NAME.conf and returns its path.
export function writeConf(text: string, name = 'test'): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wf-conf-')), `${name}.conf`);
  fs.writeFileSync(file, text);
  return file;
}
