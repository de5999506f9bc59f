// Turns on scrun in the test cluster: a run-mode crun oci.conf (the containers page's rootless
// example) and a scrun.lua that stages nothing, then makes slurmd re-read them.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tbSh } from './testbed.js';

// (files, so that bench/run.mjs sets up the same cluster)
export const RUN_MODE_CRUN_OCI_CONF = fs.readFileSync(
  path.resolve('test/fixtures/scrun/run-mode-crun.oci.conf'),
  'utf8',
);

export const PASS_THROUGH_SCRUN_LUA = fs.readFileSync(
  path.resolve('test/fixtures/scrun/pass-through.scrun.lua'),
  'utf8',
);

// Installs oci.conf and scrun.lua (defaults above) and reconfigures Slurm.
export async function enableScrun(ociConf = RUN_MODE_CRUN_OCI_CONF, scrunLua = PASS_THROUGH_SCRUN_LUA): Promise<void> {
  const r = await tbSh(`cat > /etc/slurm/oci.conf && scontrol reconfigure && sleep 1`, { input: ociConf });
  if (r.exitCode !== 0) throw new Error(`oci.conf install failed: ${r.stderr}`);
  const l = await tbSh(`cat > /etc/slurm/scrun.lua`, { input: scrunLua });
  if (l.exitCode !== 0) throw new Error(`scrun.lua install failed: ${l.stderr}`);
}

// How a bare-scrun `podman run` (not ours) goes wrong on a loaded node, as a test's `rc=N\n<output>`
// shows it: a hang the time limit ends (124/137), its anchor killed by its own SIGALRM, and its
// allocation race (scrun completes the job before the container ran: src/runtime/scrun/supervise.ts).
// slurm-oci-runtime's scrun backend runs the container again after the last two.
export const BARE_SCRUN_FAULT =
  /^rc=(124|137)\n|^rc=\d+\n[^]*(_wait_create_pid: anchor \d+ killed by signal 14|Job\/step already completing or completed|Slurm job \d+ has expired|Invalid job credential)/;

// Processes of scrun containers still alive in this cluster (anchors, srun, our supervisors):
// the test cluster shares the pid namespace with others, so only those in its network namespace.
export async function leftovers(): Promise<string[]> {
  const r = await tbSh(
    `me=$(readlink /proc/self/ns/net); for p in /proc/[0-9]*; do [ "$p" = /proc/$$ ] && continue; ` +
      `[ "$(readlink $p/ns/net 2>/dev/null)" = "$me" ] || continue; ` +
      `s=$(awk '{print $3}' $p/stat 2>/dev/null); c=$(tr '\\0' ' ' < $p/cmdline 2>/dev/null); ` +
      `case "$c" in *scrun-supervisor*|scrun:*|srun*) echo "$s $c";; esac; done`,
  );
  return r.stdout.split('\n').filter(Boolean);
}

// Waits until no job is pending, running or completing (up to 150 s).
export async function waitForIdleNode(): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if ((await tbSh('squeue -h -t PD,R,CG,CF -o %i')).stdout === '') return;
    await sleep(1000);
  }
  throw new Error('the test node stayed busy for 150 s');
}

// Container ids of the jobs scrun ran in this cluster (finished ones stay listed for MinJobAge,
// 300 s), so a test can tell its own containers from earlier files'.
export async function scrunContainers(): Promise<Set<string>> {
  const r = await tbSh(`squeue -h -a -t all -O ContainerId:`);
  return new Set(
    r.stdout
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => /^\w+$/.test(s)),
  );
}

// Ends what is left of the scrun containers IDS: their anchors (`scrun: ID`, with their srun
// children) get SIGKILL and their jobs are cancelled. A bare-scrun anchor can stay behind spinning
// on a CPU, which starves the test files after it. Returns what it killed, as leftovers() shows it.
export async function killAnchors(ids: string[]): Promise<string[]> {
  if (!ids.length) return [];
  const r = await tbSh(
    `ids=" $(tr '\\n' ' ') "; me=$(readlink /proc/self/ns/net); for p in /proc/[0-9]*; do ` +
      `[ "$(readlink $p/ns/net 2>/dev/null)" = "$me" ] || continue; set -- $(tr '\\0' ' ' < $p/cmdline 2>/dev/null); ` +
      `[ "$1" = scrun: ] && [ -n "$2" ] && case "$ids" in *" $2 "*) ;; *) false;; esac || continue; ` +
      `pid=\${p#/proc/}; echo "$pid scrun: $2"; pkill -KILL -P $pid; kill -KILL $pid; done; ` +
      `squeue -h -t PD,R,S -O 'JobID:|,ContainerId:' | while IFS='|' read -r job id; do ` +
      `case "$ids" in *" $(echo $id) "*) scancel $job;; esac; done`,
    { input: ids.join('\n') },
  );
  return r.stdout.split('\n').filter(Boolean);
}
