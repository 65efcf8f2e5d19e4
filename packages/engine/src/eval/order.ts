/**
 * Ordering of external ids: numerically when both look like plain integers (MovieLens ids sort
 * as 2 < 10), else by code units. Protocol P1 breaks ties by "the smaller item id" in this sense,
 * and the evaluation catalogue is laid out in this order so index order equals id order.
 */
const INTEGER = /^-?\d{1,15}$/;

export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const ia = INTEGER.test(a);
  const ib = INTEGER.test(b);
  if (ia && ib) return Number(a) - Number(b) || (a < b ? -1 : 1);
  if (ia !== ib) return ia ? -1 : 1; // integers before other ids
  return a < b ? -1 : 1;
}

/** Distinct ids sorted by compareIds. */
export function sortedIds(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareIds);
}
