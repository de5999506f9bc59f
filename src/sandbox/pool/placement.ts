// Where a pool front starts the next sandbox: on the worker with the most free slots, preferring
// one that already has the image (a pull costs far more than a slightly fuller node). When every
// worker is full, the one with the shortest line waits for it (its queue answers 429 in time).

// A worker as placement sees it.
export type Candidate = {
  node: string;
  // Slots minus sandboxes running, starts queued and starts this front has sent and not had answered.
  free: number;
  hasImage: boolean;
};

// The chosen worker, or undefined when there is none.
export function place<C extends Candidate>(candidates: C[]): C | undefined {
  const withRoom = candidates.filter((c) => c.free > 0);
  const holders = withRoom.filter((c) => c.hasImage);
  const from = holders.length ? holders : withRoom.length ? withRoom : candidates;
  // ties go to the first: the caller counts each start it sends, so the next one goes elsewhere
  return from.reduce<C | undefined>((best, c) => (best === undefined || c.free > best.free ? c : best), undefined);
}
