// The slot pool: at most N at once, FIFO hand-over, bounded wait, abort and close.
import { afterEach, beforeEach, expect, jest, test } from '@jest/globals';
import { Pool, PoolClosedError, QueueTimeoutError } from '../../src/sandbox/pool.js';

beforeEach(() => {
  jest.useFakeTimers();
});
afterEach(() => {
  jest.useRealTimers();
});

test('grants up to size at once and hands a released slot to the first waiter', async () => {
  const pool = new Pool(2, 60_000);
  const a = await pool.acquire();
  await pool.acquire();
  const order: string[] = [];
  const third = pool.acquire().then((release) => (order.push('third'), release));
  const fourth = pool.acquire().then((release) => (order.push('fourth'), release));
  expect(pool.stats).toEqual({ used: 2, waiting: 2, size: 2 });
  a();
  a(); // a second release of the same slot changes nothing
  await third;
  expect(order).toEqual(['third']);
  expect(pool.stats).toEqual({ used: 2, waiting: 1, size: 2 });
  (await third)();
  await fourth;
  expect(order).toEqual(['third', 'fourth']);
});

test('a waiter gives up after the bounded wait and frees its place in line', async () => {
  const pool = new Pool(1, 5_000);
  const held = await pool.acquire();
  const waiting = pool.acquire();
  jest.advanceTimersByTime(5_000);
  await expect(waiting).rejects.toBeInstanceOf(QueueTimeoutError);
  expect(pool.stats.waiting).toBe(0);
  held();
  expect(pool.stats.used).toBe(0);
});

test('an aborted waiter leaves the line; close refuses waiters and new starts', async () => {
  const pool = new Pool(1, 60_000);
  await pool.acquire();
  const controller = new AbortController();
  const aborted = pool.acquire(controller.signal);
  const closed = pool.acquire();
  controller.abort(new Error('client went away'));
  await expect(aborted).rejects.toThrow('client went away');
  pool.close();
  await expect(closed).rejects.toBeInstanceOf(PoolClosedError);
  await expect(pool.acquire()).rejects.toBeInstanceOf(PoolClosedError);
});
