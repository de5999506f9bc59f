// Placement alone: most free slots, the image's holders first, the shortest line when all are full.
import { expect, test } from '@jest/globals';
import { place } from '../../../src/sandbox/pool/placement.js';

const w = (node: string, free: number, hasImage = false) => ({ node, free, hasImage });

test('the worker with the most free slots wins; ties go to the first', () => {
  expect(place([w('n1', 1), w('n2', 3), w('n3', 2)])?.node).toBe('n2');
  expect(place([w('n1', 2), w('n2', 2)])?.node).toBe('n1');
});

test('a worker that has the image wins over a freer one without it, if it has room', () => {
  expect(place([w('n1', 5), w('n2', 1, true), w('n3', 4)])?.node).toBe('n2');
  expect(place([w('n1', 5), w('n2', 0, true), w('n3', 4, true)])?.node).toBe('n3');
  expect(place([w('n1', 5), w('n2', 0, true)])?.node).toBe('n1');
});

test('when every worker is full, the shortest line; no worker, no choice', () => {
  expect(place([w('n1', -3, true), w('n2', 0), w('n3', -1)])?.node).toBe('n2');
  expect(place([])).toBeUndefined();
});
