// Every doctor check, in report order: kernel and user set-up first, then Podman, then Slurm.
import type { Check } from '../check.js';
import cgroup from './cgroup.js';
import docker from './docker.js';
import graphroot from './graphroot.js';
import munge from './munge.js';
import numLocks from './num-locks.js';
import ociConf from './oci-conf.js';
import podman from './podman.js';
import runUserDir from './run-user-dir.js';
import scrunLua from './scrun-lua.js';
import slurm from './slurm.js';
import subids from './subids.js';
import userns from './userns.js';

export const checks: Check[] = [
  userns,
  runUserDir,
  subids,
  cgroup,
  podman,
  graphroot,
  numLocks,
  docker,
  munge,
  slurm,
  ociConf,
  scrunLua,
];
