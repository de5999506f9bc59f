// The state JSON as runc prints it, and statuses Podman accepts.
import { expect, test } from '@jest/globals';
import * as oci from '../../src/generated/oci-validators.cjs';
import { formatState, normalizeStatus } from '../../src/runtime/state.js';

const base = {
  ociVersion: '1.0.0',
  id: 'c1',
  pid: 42,
  bundle: '/b',
  rootfs: '/b/rootfs',
  created: '2026-11-23T00:00:00Z',
  owner: '',
};

test("runc's key order, 2-space indent, no trailing newline, annotations only when present", () => {
  const text = formatState({ ...base, status: 'running', annotations: {} });
  expect(text).toBe(
    JSON.stringify(
      {
        ociVersion: '1.0.0',
        id: 'c1',
        pid: 42,
        status: 'running',
        bundle: '/b',
        rootfs: '/b/rootfs',
        created: base.created,
        owner: '',
      },
      null,
      2,
    ),
  );
  expect(formatState({ ...base, status: 'created', annotations: { a: 'b' } })).toMatch(
    /"owner": "",\n {2}"annotations": {\n {4}"a": "b"\n {2}}\n}$/,
  );
});

test('a stopped container has pid 0, and every rendering is valid against the state schema', () => {
  expect(JSON.parse(formatState({ ...base, status: 'stopped' })).pid).toBe(0);
  for (const status of ['created', 'running', 'stopped'] as const) {
    expect(oci.state(JSON.parse(formatState({ ...base, status })))).toBe(true);
  }
});

test('creating and unknown statuses never reach Podman', () => {
  expect(normalizeStatus('creating')).toBe('created');
  expect(normalizeStatus('STOPPING')).toBe('stopped');
  expect(normalizeStatus(undefined)).toBe('stopped');
  expect(normalizeStatus('paused')).toBe('paused');
});
