// The resident agent: a POSIX sh script that runs as a sandbox's main process and starts each command
// the server sends it, so a command costs a fork inside the container instead of a `podman exec`
// (~150 ms of Podman start-up). It needs nothing in the image but `sh` (busybox's is enough).
//
// Channel: a directory the server owns, bind-mounted at AGENT_DIR, holding FIFOs the server made:
//   req  requests, each `TOKEN run OUT ERR IN` or `TOKEN kill MARKER`, then script lines, then TOKEN
//   res  replies, one line each (shorter than PIPE_BUF, so concurrent writers never interleave):
//        `TOKEN S` once the command's FIFOs are open, `TOKEN CODE` when it has exited
// A command's stdout and stderr go to the FIFOs OUT and ERR, its stdin comes from IN ('-': /dev/null).
// Commands run in the background, so one agent serves many at once.
import { shellJoin, shellQuote } from '../../util/shell.js';

// Where the channel directory appears inside the container.
export const AGENT_DIR = '/.slurm-oci';

// The script; $1 is the channel directory. `set -f` keeps request words from being globbed.
export const AGENT_SCRIPT = `set -f
d=$1
exec 3<>"$d/req" </dev/null
echo "- ready" >"$d/res"
while IFS= read -r h <&3; do
  set -- $h
  t=$1 k=$2 s=
  while IFS= read -r l <&3; do
    [ "$l" = "$t" ] && break
    s="$s$l
"
  done
  case $k in
  run)
    {
      exec 4>"$d/$3" 5>"$d/$4"
      if [ "$5" = - ]; then exec 6</dev/null; else exec 6<"$d/$5"; fi
      echo "$t S" >"$d/res"
      (eval "$s") <&6 >&4 2>&5 4>&- 5>&- 6<&-
      r=$?
      exec 4>&- 5>&- 6<&-
      echo "$t $r" >"$d/res"
    } 3<&- &
    ;;
  kill)
    {
      set +f
      for e in /proc/[0-9]*/environ; do
        if grep -q "$3" "$e" 2>/dev/null; then p=\${e#/proc/}; kill -9 "\${p%/environ}" 2>/dev/null; fi
      done
      echo "$t 0" >"$d/res"
    } 3<&- &
    ;;
  esac
done
`;

// The container command that runs the agent.
export const agentCommand = (): string[] => ['sh', '-c', AGENT_SCRIPT, 'slurm-oci-agent', AGENT_DIR];

// What a command runs with: its argv, extra environment, working directory, and the marker a
// timeout uses to find and kill the command's processes.
export type AgentCommand = { command: string[]; env?: Record<string, string>; workdir?: string; marker: string };

// The script lines of one command: exports, cd, then exec (so the command's own exit status,
// 127 for a missing program, is the reply).
export function commandScript(c: AgentCommand): string {
  const env = Object.entries({ ...c.env, SLURM_OCI_EXEC_ID: c.marker }).map(([k, v]) => `${k}=${shellQuote(v)}`);
  const cd = c.workdir ? `cd ${shellQuote(c.workdir)} || exit 126\n` : '';
  return `export ${env.join(' ')}\n${cd}exec ${shellJoin(c.command)}\n`;
}

// One request as written to req: header, script lines, closing token. The token is random and the
// caller checks the script has no line equal to it.
export const frame = (token: string, header: string, script: string): string =>
  `${token} ${header}\n${script}${token}\n`;
