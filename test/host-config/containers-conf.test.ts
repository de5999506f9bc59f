// containers.conf: the generated TOML parses back to the model, with the containers page's settings.
import { expect, test } from '@jest/globals';
import { parse } from 'smol-toml';
import { buildContainersConf, containersConfToml } from '../../src/host-config/containers-conf.js';

test('the TOML parses back to the model it was built from', () => {
  const conf = buildContainersConf({ runtimePaths: ['/usr/bin/scrun'], runtimeFlags: [], systemd: true });
  expect(parse(containersConfToml(conf))).toEqual(conf);
});

test('host namespaces, no confinement, and the slurm runtime as the default', () => {
  const conf = parse(
    containersConfToml(
      buildContainersConf({ runtimePaths: ['/a b/scrun', '/usr/bin/scrun'], runtimeFlags: [], systemd: true }),
    ),
  ) as any;
  for (const ns of ['netns', 'pidns', 'utsns', 'userns', 'cgroupns']) expect(conf.containers[ns]).toBe('host');
  expect(conf.containers.label).toBe(false);
  expect(conf.containers.apparmor_profile).toBe('unconfined');
  expect(conf.engine.runtime).toBe('slurm');
  expect(conf.engine.runtimes.slurm).toEqual(['/a b/scrun', '/usr/bin/scrun']);
  expect(conf.engine.runtimes_flags).toBeUndefined();
  expect(conf.engine.cgroup_manager).toBe('systemd');
});

test('without systemd: cgroupfs, file events and k8s-file logs; runtime flags in [engine.runtimes_flags]', () => {
  const text = containersConfToml(
    buildContainersConf({ runtimePaths: ['/x'], runtimeFlags: ['--log-level', 'debug "q"'], systemd: false }),
  );
  const conf = parse(text) as any;
  expect(conf.engine.cgroup_manager).toBe('cgroupfs');
  expect(conf.engine.events_logger).toBe('file');
  expect(conf.containers.log_driver).toBe('k8s-file');
  expect(conf.engine.runtimes_flags).toEqual({ slurm: ['--log-level', 'debug "q"'] });
  expect(text).toContain('[engine.runtimes_flags]');
});
