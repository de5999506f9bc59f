// The frames between the native front and the runtime server (native/front.c writes the same bytes).
import { expect, test } from '@jest/globals';
import { frame, FrameReader, nulList, parseCall } from '../../../src/runtime/front/protocol.js';

test('frames survive any split into chunks', () => {
  const bytes = Buffer.concat([frame('O', 'héllo'), frame('X', '0'), frame('C')]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const reader = new FrameReader();
    const frames = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
    expect(frames.map((f) => [f.type, f.payload.toString()])).toEqual([
      ['O', 'héllo'],
      ['X', '0'],
      ['C', ''],
    ]);
  }
});

test('an oversized frame is refused, not buffered', () => {
  const head = Buffer.from([0xff, 0xff, 0xff, 0x7f, 0x51]);
  expect(() => new FrameReader().push(head)).toThrow(/frame of/);
});

test('a call: argument count, cwd, arguments (empty ones kept), environment', () => {
  const payload = nulList(['3', '/tmp/b', 'create', '', 'c1', 'A=1', 'B=x=y', 'EMPTY=']);
  expect(parseCall(payload)).toEqual({
    cwd: '/tmp/b',
    argv: ['create', '', 'c1'],
    env: { A: '1', B: 'x=y', EMPTY: '' },
  });
  expect(() => parseCall(nulList(['5', '/', 'only-one']))).toThrow(/malformed/);
});
