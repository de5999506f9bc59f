// Output capture keeps the first LIMIT bytes, flags the rest, and drains the stream to its end.
import { Readable } from 'node:stream';
import { expect, test } from '@jest/globals';
import { capture } from '../../src/sandbox/capture.js';

test('keeps output under the limit whole', async () => {
  expect(await capture(Readable.from([Buffer.from('ab'), Buffer.from('c')]), 10)).toEqual({
    text: 'abc',
    truncated: false,
  });
  expect(await capture(undefined, 10)).toEqual({ text: '', truncated: false });
});

test('cuts at the limit across chunks and reads past it', async () => {
  let read = 0;
  const chunks = ['0123', '4567', '89ab', 'cdef'].map((s) => Buffer.from(s));
  const stream = Readable.from(
    (function* () {
      for (const c of chunks) {
        read += 1;
        yield c;
      }
    })(),
  );
  expect(await capture(stream, 6)).toEqual({ text: '012345', truncated: true });
  expect(read).toBe(4);
});
