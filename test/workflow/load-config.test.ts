// Config checking: the shipped examples pass, and each kind of bad key is one clear error that
// names the key, the file and the line.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { coordinationRoot, loadConfig } from '../../src/workflow/load-config.js';
import { GOOD, writeConf } from '../helpers/workflow.js';

const errorOf = (file: string) => {
  try {
    loadConfig(file, { HOME: '/home/alice' });
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a config error');
};

describe('shipped configs', () => {
  test.each(['dev', 'production'])('%s is valid and names no site path', (name) => {
    const config = loadConfig(name, { HOME: '/home/alice' });
    expect(config.name).toBe(name);
    expect(config.values.TRAIN_DATA).toBe('/home/alice/data/r2e-all/train.parquet');
    expect(config.text).not.toMatch(/\/n\/|holylabs|netscratch|janapa/);
  });

  test('environment overrides where the config offers them', () => {
    const config = loadConfig('dev', { HOME: '/h', GPU_PARTITION: 'a100', SKYRL_DEBUG: '1' });
    expect(config.values.GPU_PARTITION).toBe('a100');
    expect(config.values.SKYRL_DEBUG).toBe('1');
  });
});

describe('one clear error per bad key, naming key, file and line', () => {
  test('a good config loads', () => {
    expect(loadConfig(writeConf(GOOD)).values.TIME_LIMIT).toBe('12:00:00');
  });

  test('unknown key', () => {
    const file = writeConf(`${GOOD}TRAINING_MEM=4G\n`);
    expect(errorOf(file)).toBe(`${file}:16: unknown key TRAINING_MEM`);
  });

  test('missing required key', () => {
    const file = writeConf(GOOD.replace('CONTAINER_IMAGE=localhost/busybox\n', ''));
    expect(errorOf(file)).toBe(`${file}: missing required key CONTAINER_IMAGE`);
  });

  test('bad size 64Q (64G is right)', () => {
    const file = writeConf(GOOD.replace('TRAINING_MEMORY=64G', 'TRAINING_MEMORY=64Q'));
    expect(errorOf(file)).toBe(
      `${file}:6: TRAINING_MEMORY="64Q" is not a memory size like 64G: a whole number with an optional K, M, G or T suffix`,
    );
  });

  test('bad time 12:75:00 (12:00:00 is right)', () => {
    const file = writeConf(GOOD.replace('"12:00:00"', '"12:75:00"'));
    expect(errorOf(file)).toMatch(
      new RegExp(`^${file}:12: TIME_LIMIT="12:75:00" is not a Slurm time limit like 12:00:00`),
    );
  });

  test.each(['30', '30:00', '1-00', '1-12:00:00', '0:59:59'])('good time %s', (time) => {
    expect(loadConfig(writeConf(GOOD.replace('"12:00:00"', time))).values.TIME_LIMIT).toBe(time);
  });

  test('several problems are listed together', () => {
    const file = writeConf(`${GOOD.replace('GPU_NODES=1', 'GPU_NODES=0')}FOO=1\n`);
    const message = errorOf(file);
    expect(message).toMatch(/has 2 problems/);
    expect(message).toContain(`${file}:3: GPU_NODES="0" is not a whole number of at least 1`);
    expect(message).toContain(`${file}:16: unknown key FOO`);
  });

  test('an unknown config name lists the shipped ones', () => {
    expect(errorOf('nonesuch')).toMatch(/neither a shipped config \(dev, production\) nor a readable file/);
  });
});

test('coordination root: --jobs-dir, then COORDINATION_ROOT, then ~/.skyrl_jobs', () => {
  expect(coordinationRoot({ COORDINATION_ROOT: '/c' }, '/j')).toBe('/j');
  expect(coordinationRoot({ COORDINATION_ROOT: '/c' })).toBe('/c');
  expect(coordinationRoot({})).toBe(path.join(os.homedir(), '.skyrl_jobs'));
});
