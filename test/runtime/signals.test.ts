// Signals by number, name, or SIG-name, as runc's kill takes them.
import { expect, test } from '@jest/globals';
import { parseSignal } from '../../src/runtime/signals.js';

test('names with or without SIG, numbers, and TERM by default', () => {
  expect(parseSignal(undefined)).toBe(15);
  expect(parseSignal('KILL')).toBe(9);
  expect(parseSignal('SIGKILL')).toBe(9);
  expect(parseSignal('sigusr1')).toBe(10);
  expect(parseSignal('2')).toBe(2);
});

test('unknown signals are refused before anything is sent', () => {
  for (const bad of ['SIGNOPE', '0', '65', '-9', 'TERM9']) expect(() => parseSignal(bad)).toThrow(/invalid signal/);
});
