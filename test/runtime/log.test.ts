// Log lines in the two formats runc writes (Podman and containerd parse the JSON one).
import { expect, test } from '@jest/globals';
import { formatLine } from '../../src/runtime/log.js';

const at = new Date('2026-11-23T05:00:00.123Z');

test('json lines are {"level","msg","time"} with a newline', () => {
  const line = formatLine('error', 'container "x" does not exist', 'json', at);
  expect(line.endsWith('\n')).toBe(true);
  expect(JSON.parse(line)).toEqual({
    level: 'error',
    msg: 'container "x" does not exist',
    time: '2026-11-23T05:00:00Z',
  });
  expect(Object.keys(JSON.parse(line))).toEqual(['level', 'msg', 'time']);
});

test('text lines are logrus-style', () => {
  expect(formatLine('warning', 'a "b"', 'text', at)).toBe(
    'time="2026-11-23T05:00:00Z" level=warning msg="a \\"b\\""\n',
  );
});
