// The docker check: the two failures of rootless Docker through Slurm, recognised from the messages
// dockerd, slurmstepd and the runtime print (copied from real runs in the test cluster), or foreseen
// from daemon.json; each names the generator command that fixes it.
import { expect, test } from '@jest/globals';
import { judgeDocker } from '../../../src/doctor/checks/docker.js';

const file = '/home/alice/.config/docker/daemon.json';
const good = {
  'default-runtime': 'slurm',
  bridge: 'none',
  iptables: false,
  'ip-forward': false,
  'exec-root': '/var/tmp/containers-alice/docker-exec',
  'data-root': '/var/tmp/containers-alice/docker',
};
const facts = (json: object, more: object = {}) => ({
  config: { file, json: json as Record<string, unknown> },
  xdgRuntimeDir: '/run/user/1000',
  ...more,
});
const fix = /slurm-oci generate docker-daemon --config-dir \/home\/alice\/.config --force, then restart dockerd/;

test("ip forwarding: from dockerd's message, and foreseen from a daemon.json that turns only the bridge off", () => {
  const log =
    'level=info msg="Starting up"\nfailed to start daemon: Error initializing network controller: error creating default "bridge" network: failed to register "bridge" driver: Enabling IP forwarding failed: open /proc/sys/net/ipv4/ip_forward: permission denied';
  expect(judgeDocker(facts(good, { log }))).toMatchObject({
    status: 'fail',
    detail: expect.stringContaining('cannot enable IP forwarding'),
    fix: expect.stringMatching(fix),
  });
  const { 'ip-forward': _, ...noForward } = good;
  expect(judgeDocker(facts(noForward))).toMatchObject({
    status: 'fail',
    detail: expect.stringContaining('not ip-forward'),
    fix: expect.stringContaining('"ip-forward": false'),
  });
});

test("invisible bundle: from slurmstepd's message and from the runtime's, and foreseen from exec-root under /run", () => {
  const stepd =
    "slurmstepd-vm: error: couldn't chdir to `/run/.ro3231227920/user/1000/docker-exec/containerd/daemon/io.containerd.runtime.v2.task/moby/69e1': No such file or directory";
  expect(judgeDocker(facts(good, { log: stepd }))).toMatchObject({
    status: 'fail',
    detail: expect.stringContaining('Slurm cannot see /run/.ro3231227920/user/1000/docker-exec/'),
    fix: expect.stringMatching(fix),
  });
  const runtime =
    "docker: Error response from daemon: failed to create task for container: failed to create shim task: OCI runtime create failed: the bundle /run/.ro1/user/1000/docker-exec/x exists only inside rootless Docker's mount namespace (outside it is /run/user/1000/docker-exec/x): ...";
  expect(judgeDocker(facts(good, { info: { error: runtime } }))).toMatchObject({
    status: 'fail',
    detail: expect.stringContaining('Slurm cannot see /run/.ro1/user/1000/docker-exec/x'),
  });
  // the page's example, and rootless dockerd's own default ($XDG_RUNTIME_DIR/docker) when exec-root is unset
  expect(judgeDocker(facts({ ...good, 'data-root': '/run/user/1000/docker/' }))).toMatchObject({
    status: 'fail',
    detail: expect.stringMatching(/^data-root \/run\/user\/1000\/docker\/ is under \/run/),
  });
  const { 'exec-root': _, ...noExec } = good;
  expect(judgeDocker(facts(noExec))).toMatchObject({
    status: 'fail',
    detail: expect.stringMatching(/^exec-root \/run\/user\/1000\/docker is under \/run/),
  });
});

test('a good daemon.json: ok when dockerd answers rootless, warnings when it does not answer or is not rootless', () => {
  const info = {
    json: { DefaultRuntime: 'slurm', SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless'] },
  };
  expect(judgeDocker(facts(good, { info }))).toMatchObject({
    status: 'ok',
    detail: expect.stringContaining('default runtime slurm'),
  });
  expect(
    judgeDocker(
      facts(good, {
        info: {
          error:
            'Cannot connect to the Docker daemon at unix:///run/user/1000/docker.sock. Is the docker daemon running?',
        },
      }),
    ),
  ).toMatchObject({
    status: 'warn',
    fix: expect.stringContaining('dockerd-rootless.sh'),
  });
  expect(judgeDocker(facts(good, { info: { json: { DefaultRuntime: 'runc', SecurityOptions: [] } } }))).toMatchObject({
    status: 'warn',
    fix: expect.stringContaining('DOCKER_HOST'),
  });
});

test('no daemon.json is a skip; an unreadable one or a runtime other than slurm is reported', () => {
  expect(judgeDocker({ config: { file } }).status).toBe('skip');
  expect(judgeDocker({ config: { file, error: 'Unexpected token' } })).toMatchObject({
    status: 'fail',
    fix: expect.stringMatching(fix),
  });
  expect(judgeDocker(facts({ ...good, 'default-runtime': 'runc' }))).toMatchObject({
    status: 'warn',
    detail: expect.stringContaining('not as Slurm jobs'),
  });
});
