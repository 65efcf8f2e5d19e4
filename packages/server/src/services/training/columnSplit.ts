import { testCount } from '@attune/engine';
import type { EventColumns } from './eventColumns.ts';

/**
 * The engine's temporal splits (perUserTemporalSplit, globalTemporalSplit) over event columns:
 * the same rows go to test, decided without an object per event. Rows are ordered by
 * (timestamp, item id in compareIds order, row position), exactly as the engine orders them.
 *
 * `eligible` limits the split to some rows (1 = take part), e.g. the training part of an outer
 * split when carving a validation split; the result marks test rows with 1.
 */
export function perUserTemporalTest(cols: EventColumns, opts: { testFraction?: number; minInteractions?: number; eligible?: Uint8Array } = {}): Uint8Array {
  const fraction = opts.testFraction ?? 0.2;
  const min = opts.minInteractions ?? 5;
  const n = cols.length;
  const eligible = opts.eligible;
  // counting sort of eligible rows by user keeps row order inside each user's group
  const start = new Int32Array(cols.users.size + 1);
  for (let p = 0; p < n; p++) if (!eligible || eligible[p]) start[cols.user(p) + 1]++;
  for (let u = 0; u < cols.users.size; u++) start[u + 1] += start[u] as number;
  const positions = new Int32Array(start[cols.users.size] as number);
  const cursor = start.slice(0, cols.users.size);
  for (let p = 0; p < n; p++) if (!eligible || eligible[p]) positions[cursor[cols.user(p)]++] = p;
  const isTest = new Uint8Array(n);
  const byTime = timeOrder(cols);
  for (let u = 0; u < cols.users.size; u++) {
    const group = positions.subarray(start[u] as number, start[u + 1] as number);
    if (group.length < min) continue;
    group.sort(byTime);
    const t = testCount(group.length, fraction);
    for (let j = group.length - t; j < group.length; j++) isTest[group[j] as number] = 1;
  }
  return isTest;
}

/** The latest testFraction of all rows (in the same order) go to test. */
export function globalTemporalTest(cols: EventColumns, testFraction = 0.2): Uint8Array {
  const order = new Int32Array(cols.length);
  for (let p = 0; p < order.length; p++) order[p] = p;
  order.sort(timeOrder(cols));
  const t = testCount(order.length, testFraction);
  const isTest = new Uint8Array(cols.length);
  for (let j = order.length - t; j < order.length; j++) isTest[order[j] as number] = 1;
  return isTest;
}

function timeOrder(cols: EventColumns): (a: number, b: number) => number {
  const rank = cols.itemRank();
  return (a, b) => cols.timestamp(a) - cols.timestamp(b) || (rank[cols.item(a)] as number) - (rank[cols.item(b)] as number) || a - b;
}

export function countOnes(flags: Uint8Array): number {
  let c = 0;
  for (let p = 0; p < flags.length; p++) c += flags[p] as number;
  return c;
}
