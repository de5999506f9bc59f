// scrun.lua on the real cluster: the generated script under real Lua 5.1 and 5.4 (a stand-in
// `slurm` table runs and records its commands) against the TypeScript rewrite over the corpus;
// then as /etc/slurm/scrun.lua behind scrun, with rootless Podman and with hostile bundle paths.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { rootlessRewrite } from '../../src/bundle/rootless.js';
import { shellQuote } from '../../src/util/shell.js';
import { bundleCorpus } from '../helpers/bundle-corpus.js';
import { setupPodman } from '../helpers/podman.js';
import { BARE_SCRUN_FAULT } from '../helpers/scrun.js';
import { projectInside, tbExec, tbSh, tbUser, tbUserSh } from '../helpers/testbed.js';

const cli = `${projectInside}/bin/slurm-oci`;
const standIn = `${projectInside}/test/fixtures/scrun-lua/stand-in.lua`;
// A bundle parent with a space and a command substitution: anything that runs it creates the file.
const corpusDir = '/home/alice/corpus x/$(touch /tmp/owned-corpus)';
const jobEnv = ['FIRST=index-0', 'TERM=dumb', `Q=it's "$(touch /tmp/owned-env)"`, 'U=\u00e9'];
const scratch = '/run/user/1000/slurm-oci-scratch';
const kernel = /^\/(proc|sys|dev)(\/|$)/;

type Run = {
  commands: string[];
  statuses: number[];
  config?: unknown;
  stageIn?: number;
  stageOut?: number;
  logs: string[];
};

// Reads the stand-in's event lines (see stand-in.lua).
function parseRun(stdout: string): Run {
  const run: Run = { commands: [], statuses: [], logs: [] };
  for (const line of stdout.split('\n')) {
    const [kind, ...rest] = line.split(' ');
    const text = rest.join(' ');
    if (kind === 'CMD') run.commands.push(text);
    else if (kind === 'STATUS') run.statuses.push(Number(text));
    else if (kind === 'CONFIG') run.config = JSON.parse(text.replaceAll('\\n', '\n'));
    else if (kind === 'IN') run.stageIn = Number(text);
    else if (kind === 'OUT') run.stageOut = Number(text);
    else if (kind === 'LOG') run.logs.push(text);
  }
  return run;
}

// The corpus with bind sources that exist in the testbed and a relative rootfs, so copy staging works.
const corpus = bundleCorpus().map(({ name, config }) => {
  const prepared = structuredClone(config) as Record<string, any>;
  prepared.root = { ...(prepared.root ?? {}), path: 'rootfs' };
  for (const m of prepared.mounts ?? []) {
    if (m.type === 'bind' && !kernel.test(m.source) && !kernel.test(m.destination))
      m.source = `${corpusDir}/bind-source`;
  }
  return { name, config: prepared, bundle: `${corpusDir}/${name}` };
});

beforeAll(async () => {
  const files = corpus
    .map(({ bundle, config }) => {
      const b = shellQuote(bundle);
      return `mkdir -p ${b}/rootfs/etc && echo x > ${b}/rootfs/etc/marker && cat > ${b}/config.json <<'END_OF_JSON'\n${JSON.stringify(config)}\nEND_OF_JSON`;
    })
    .join('\n');
  const setup = await tbUserSh(
    `set -e; rm -rf "$HOME/corpus x" "$HOME/scripts"; mkdir -p ${shellQuote(corpusDir)} "$HOME/scripts"
echo bound > ${shellQuote(`${corpusDir}/bind-source`)}
${files}
${cli} generate scrun-lua --staging none -o "$HOME/scripts/none.lua"
${cli} generate scrun-lua --staging copy --copy-tool rsync --bind-mounts copy -o "$HOME/scripts/copy.lua"`,
  );
  expect(setup.stderr).toBe('');
  expect(setup.exitCode).toBe(0);
});

describe.each(['lua5.1', 'lua5.4'])('differential: generated scrun.lua under %s vs the TypeScript rewrite', (lua) => {
  describe.each([
    ['none', 'keep'],
    ['copy', 'copy'],
  ] as const)('staging %s, bind mounts %s', (staging, bindMounts) => {
    test.each(corpus.map((c) => [c.name, c] as const))('%s', async (name, { config, bundle }) => {
      const id = `c-${name}`;
      const r = await tbUser([
        'env',
        'LC_ALL=C.UTF-8',
        lua,
        standIn,
        `/home/alice/scripts/${staging}.lua`,
        id,
        bundle,
        '1000',
        '1000',
        ...jobEnv,
      ]);
      expect(r.stderr).toBe('');
      const run = parseRun(r.stdout);
      expect(run.logs).toEqual([]);
      expect([run.stageIn, run.stageOut]).toEqual([0, 0]);
      expect(run.statuses.every((s) => s === 0)).toBe(true);
      const rootPath = staging === 'none' ? `${bundle}/rootfs` : `${scratch}/${id}/rootfs`;
      const expected = rootlessRewrite(config, { uid: 1000, gid: 1000, env: jobEnv, bindMounts, rootPath });
      expect(run.config).toEqual(expected.config);
      // the copies the TypeScript rewrite lists are the ones the script made
      const copied = run.commands.filter((c) => c.includes("'cp' '-a' '-T' '--'"));
      expect(copied).toHaveLength(expected.copies.length);
      // and the scratch bundle is gone after stage-out
      expect(run.commands.at(-1)).toBe(`'rm' '-rf' '--one-file-system' '--' '${scratch}/${id}'; echo "#status=$?"`);
    });
  });
});

describe('the stand-in around one container', () => {
  test('scratch is 0700, stage-out copies back only what the options name, then nothing is left', async () => {
    const bundle = `${corpusDir}/crun-spec`;
    const r = await tbUserSh(
      `${cli} generate scrun-lua --staging hardlink --scratch-dir "$HOME/scratch %U" --stage-out /out -o "$HOME/scripts/hl.lua" &&
STAND_IN_BEFORE_OUT='stat -c %a "$HOME/scratch 1000" "$HOME/scratch 1000/one" > "$HOME/modes"; mkdir "$HOME/scratch 1000/one/rootfs/out" "$HOME/scratch 1000/one/rootfs/tmp2"; echo result > "$HOME/scratch 1000/one/rootfs/out/r"' \
lua5.4 ${standIn} "$HOME/scripts/hl.lua" one ${shellQuote(bundle)} 1000 1000 >/dev/null && cat "$HOME/modes" &&
cat ${shellQuote(bundle)}/rootfs/out/r && ls -A "$HOME/scratch 1000" && test ! -e ${shellQuote(bundle)}/rootfs/tmp2`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('700\n700\nresult');
  });

  test('copy leaves out files the user cannot read, with a warning', async () => {
    const b = shellQuote(`${corpusDir}/minimal`);
    const r = await tbUserSh(
      `echo s > ${b}/rootfs/secret && chmod 000 ${b}/rootfs/secret && ${cli} generate scrun-lua -o "$HOME/scripts/cp.lua" &&
lua5.4 ${standIn} "$HOME/scripts/cp.lua" p1 ${b} 1000 1000; rm -f ${b}/rootfs/secret`,
    );
    const run = parseRun(r.stdout);
    expect([run.stageIn, run.stageOut]).toEqual([0, 0]);
    expect(run.logs.join('\n')).toMatch(/copied the rootfs partly: .*secret.*Permission denied/);
  });

  test('hardlink onto another filesystem falls back to copying', async () => {
    const b = shellQuote(`${corpusDir}/minimal`);
    const r = await tbUserSh(
      `${cli} generate scrun-lua --staging hardlink -o "$HOME/scripts/hl-tmpfs.lua" &&
STAND_IN_BEFORE_OUT='cp ${scratch}/p2/rootfs/etc/marker "$HOME/seen-p2"' lua5.4 ${standIn} "$HOME/scripts/hl-tmpfs.lua" p2 ${b} 1000 1000 &&
cat "$HOME/seen-p2"`,
    );
    const run = parseRun(r.stdout);
    expect([run.stageIn, run.stageOut]).toEqual([0, 0]);
    expect(run.logs.join('\n')).toMatch(/could not hard-link all of .*Invalid cross-device link/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('x');
  });

  test('a container id that is not a plain name is refused before any command runs', async () => {
    const r = await tbUser([
      'lua5.1',
      standIn,
      '/home/alice/scripts/none.lua',
      '../x',
      `${corpusDir}/minimal`,
      '1000',
      '1000',
    ]);
    const run = parseRun(r.stdout);
    expect(run.stageIn).toBe(-1);
    expect(run.logs.join('\n')).toMatch(/container id \.\.\/x is not a plain name/);
    expect(run.commands).toEqual([]);
  });
});

describe('behind scrun', () => {
  beforeAll(async () => {
    const conf = await tbSh(`set -e
cp /project/test/fixtures/scrun-lua/oci.conf /etc/slurm/oci.conf
${cli} generate scrun-lua --stage-out /out -o /etc/slurm/scrun.lua --force
scontrol reconfigure`);
    expect(conf.stderr).toBe('');
    expect(conf.exitCode).toBe(0);
  });

  // A stuck scrun anchor spins on a CPU and may keep its job running, which blocks every later job
  // on the one node: end this suite's anchors and jobs (scrun bug, see the README).
  const endStuck = () =>
    tbSh(`for p in $(pgrep -u alice -f '^scrun: '); do kill -9 "$p"; done; scancel -u alice; true`);
  afterAll(endStuck);

  test('rootless Podman runs busybox 20 times as Slurm jobs and leaves no scratch bundle', async () => {
    const podman = await setupPodman({ name: 'scrun-lua', runtime: '/usr/bin/scrun' });
    const outcomes: string[] = [];
    const stuck: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await podman.sh(
        `rm -f "$HOME/cid"; timeout -k 5 20 podman run --rm --cidfile "$HOME/cid" localhost/busybox sh -c 'cat /etc/testbed-marker; echo "job=$SLURM_JOB_ID"' > "$HOME/run.out" 2>&1; echo "rc=$?"; cat "$HOME/run.out"; echo; cat "$HOME/cid"`,
      );
      outcomes.push(r.stdout);
      if (!r.stdout.startsWith('rc=0')) {
        stuck.push(r.stdout.split('\n').at(-1) ?? '');
        await endStuck();
      }
    }
    // every run that came back ran inside busybox as a job; the others failed as bare scrun does
    // (it hangs about 1 in 4 to 1 in 10 here, as with the man page's script: README), never a wrong run
    for (const o of outcomes)
      expect(o).toMatch(new RegExp(`^rc=0\ninside-busybox\njob=\\d+\n|${BARE_SCRUN_FAULT.source}`));
    expect(stuck.length).toBeLessThanOrEqual(10);
    // runs that finished leave nothing; a killed anchor never gets to stage-out
    const left = await tbUserSh(`sleep 2; ls -A ${scratch}`);
    expect(left.stdout.split('\n').filter((d) => d && !stuck.includes(d))).toEqual([]);
  });

  test('a bundle path with a space and $(...) runs, copies /out back, and runs nothing else', async () => {
    const r = await tbUserSh(
      `B="$HOME/b x/\\$(touch /tmp/owned-bundle)/bb"; rm -rf "$HOME/b x"; mkdir -p "$(dirname "$B")"
${cli} bundle create "$B" --rootfs /srv/busybox/rootfs --rootless -- sh -c 'mkdir -p /out; cat /etc/testbed-marker > /out/result' >/dev/null || exit 9
cd /tmp; timeout -k 5 60 scrun create --bundle "$B" hostile > "$HOME/hostile.log" 2>&1 && timeout -k 5 30 scrun start hostile || exit 8
for i in $(seq 60); do [ "$(timeout 10 scrun state hostile | jq -r .status)" = stopped ] && break; sleep 1; done
timeout -k 5 30 scrun delete hostile; cat "$B/rootfs/out/result"; ls -A ${scratch}`,
      { timeout: 200_000 },
    );
    expect(r.stdout).toBe('inside-busybox');
    const owned = await tbExec(['sh', '-c', 'ls /tmp/owned* 2>/dev/null; true']);
    expect(owned.stdout).toBe('');
  });

  test('bundle create --image unpacks a Podman image into a bundle that validates', async () => {
    const podman = await setupPodman({ name: 'bundle-image', runtime: '/usr/bin/crun' });
    const r = await podman.sh(
      `rm -rf "$HOME/img-b"; ${cli} bundle create "$HOME/img-b" --image localhost/busybox --rootless --format json && ${cli} bundle validate "$HOME/img-b" && cat "$HOME/img-b/rootfs/etc/testbed-marker"`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /"changes":\["add a user namespace","map container uid 0 to 1000 and gid 0 to 1000"\]\}\n.*is valid.*\ninside-busybox$/,
    );
  });
});
