// Subordinate ids: ranges by name or uid, a free range suggested after the existing ones.
import { expect, test } from '@jest/globals';
import { freeStart, judgeSubids, rangesIn } from '../../../src/doctor/checks/subids.js';

const file = 'bob:100000:65536\n1000:165536:1000\n# comment\nalice:300000:64536\n';

test('ranges match the user name or the uid', () => {
  expect(rangesIn(file, 'alice', 1000)).toEqual([
    { start: 165536, count: 1000 },
    { start: 300000, count: 64536 },
  ]);
  expect(rangesIn(file, 'carol', 1002)).toEqual([]);
  expect(freeStart(file)).toBe(364536);
});

test('none fails with a usermod fix after the used ranges; short warns; 65536 is ok', () => {
  const none = judgeSubids('carol', [], [{ start: 1, count: 65536 }], 364536);
  expect(none).toMatchObject({ status: 'fail', fix: expect.stringContaining('--add-subuids 364536-430071') });
  expect(judgeSubids('alice', [{ start: 1, count: 1000 }], [{ start: 1, count: 65536 }], 1).status).toBe('warn');
  expect(judgeSubids('alice', rangesIn(file, 'alice', 1000), [{ start: 1, count: 65536 }], 1).status).toBe('ok');
});
