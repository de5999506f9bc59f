// storage.conf: the generated TOML parses back, vfs with ignore_chown_errors, overlay without it.
import { expect, test } from '@jest/globals';
import { parse } from 'smol-toml';
import { buildStorageConf, storageConfToml } from '../../src/host-config/storage-conf.js';

test('vfs store parses back to the model, with the containers page options', () => {
  const conf = buildStorageConf({
    driver: 'vfs',
    graphroot: '/var/tmp/containers-alice/storage',
    runroot: '/run/user/1000/containers',
  });
  const back = parse(storageConfToml(conf)) as any;
  expect(back).toEqual(conf);
  expect(back.storage.driver).toBe('vfs');
  expect(back.storage.rootless_storage_path).toBe('/var/tmp/containers-alice/storage');
  expect(back.storage.options.vfs.ignore_chown_errors).toBe('true');
  expect(back.storage.options.pull_options.use_hard_links).toBe('true');
});

test('overlay store has no vfs section', () => {
  const back = parse(storageConfToml(buildStorageConf({ driver: 'overlay', graphroot: '/g', runroot: '/r' }))) as any;
  expect(back.storage.driver).toBe('overlay');
  expect(back.storage.options.vfs).toBeUndefined();
});
