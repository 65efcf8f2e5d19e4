import { entryIndex, IdMap, interactionWeight, type CsrMatrix, type EvalData, type TestSet, type WeightingOptions } from '@attune/engine';
import type { EventColumns } from './eventColumns.ts';

/** What a row is in one evaluation data set. */
export const OUT = 0;
export const TRAIN = 1;
export const TEST = 2;

/**
 * The engine's buildEvalData(train rows, test rows, weighting) over event columns, with each
 * row's part given by `role` (OUT / TRAIN / TEST): the same id maps (every user and item of
 * train ∪ test, in compareIds order), the same train matrix (type weights, repeated pairs
 * summed in row order, float32), the same test set and entry timestamps. The matrix is built
 * with typed arrays straight from the columns: no triplet lists, no objects per event.
 * Type weights are looked up per type (own keys only), not per event.
 */
export function evalDataFromColumns(cols: EventColumns, role: Uint8Array, weighting: WeightingOptions = {}): EvalData {
  const n = cols.length;
  const userPresent = new Uint8Array(cols.users.size);
  const itemPresent = new Uint8Array(cols.items.size);
  for (let p = 0; p < n; p++) {
    if (role[p] === OUT) continue;
    userPresent[cols.user(p)] = 1;
    itemPresent[cols.item(p)] = 1;
  }
  const userMap = subsetMap(cols.users, cols.userRank(), userPresent);
  const itemMap = subsetMap(cols.items, cols.itemRank(), itemPresent);
  const users = userMap.ids;
  const items = itemMap.ids;
  const typeWeight = typeWeights(cols, weighting);

  const train = trainMatrix(cols, role, userMap.index, itemMap.index, typeWeight, users.size, items.size);
  const test = testSet(cols, role, userMap.index, itemMap.index, users.size);
  const times = entryTimestamps(cols, role, train, userMap.index, itemMap.index);
  return { users, items, train, test, ...times };
}

/** All rows in one part (the "fit on everything" data). */
export function allRows(cols: EventColumns, part: number = TRAIN): Uint8Array {
  return new Uint8Array(cols.length).fill(part);
}

/** The ids present, in rank order, as an IdMap, and each code's index in it (-1 when absent). */
function subsetMap(ids: IdMap, rank: Int32Array, present: Uint8Array): { ids: IdMap; index: Int32Array } {
  const byRank = new Int32Array(ids.size).fill(-1);
  for (let code = 0; code < ids.size; code++) if (present[code]) byRank[rank[code] as number] = code;
  const map = new IdMap();
  const index = new Int32Array(ids.size).fill(-1);
  for (let r = 0; r < byRank.length; r++) {
    const code = byRank[r] as number;
    if (code >= 0) index[code] = map.add(ids.id(code));
  }
  return { ids: map, index };
}

function typeWeights(cols: EventColumns, weighting: WeightingOptions): Float64Array {
  const out = new Float64Array(cols.types.size);
  const own: WeightingOptions = { ...weighting };
  if (weighting.typeWeights) {
    // an event type such as "constructor" is a key like any other, not an Object.prototype member
    const table = Object.create(null) as Record<string, number>;
    for (const [k, v] of Object.entries(weighting.typeWeights)) table[k] = v;
    own.typeWeights = table;
  }
  // the engine's weight rule, once per type: options that depend on the event (value, decay) are not used by training
  for (let t = 0; t < out.length; t++) out[t] = interactionWeight({ userId: '', itemId: '', type: cols.types.id(t) }, { ...own, useValue: false, halfLifeDays: 0 }, 0);
  return out;
}

/**
 * Train rows of weight ≠ 0 as a users × items CSR; repeated (user, item) pairs summed in row
 * order. Built in place in its own arrays: each kept row's item goes to its user's span of
 * `indices` and its type code to `data` (in row order), then every user's span is summed per
 * item and compacted towards the front. No per-row permutation or triplet copy.
 */
function trainMatrix(cols: EventColumns, role: Uint8Array, userIndex: Int32Array, itemIndex: Int32Array, typeWeight: Float64Array, rows: number, columns: number): CsrMatrix {
  const n = cols.length;
  const kept = (p: number): boolean => {
    if (role[p] !== TRAIN) return false;
    const w = typeWeight[cols.type(p)] as number;
    return w !== 0 && Number.isFinite(w);
  };
  const start = new Int32Array(rows + 1);
  for (let p = 0; p < n; p++) if (kept(p)) start[(userIndex[cols.user(p)] as number) + 1]++;
  for (let r = 0; r < rows; r++) start[r + 1] += start[r] as number;
  const total = start[rows] as number;
  const indices = new Int32Array(total);
  // type codes are small integers, exact in float32, until the sums overwrite them
  const data = new Float32Array(total);
  const cursor = start.slice(0, rows);
  for (let p = 0; p < n; p++) {
    if (!kept(p)) continue;
    const q = cursor[userIndex[cols.user(p)] as number]++;
    indices[q] = itemIndex[cols.item(p)] as number;
    data[q] = cols.type(p);
  }

  const indptr = new Int32Array(rows + 1);
  // sums and seen are per column, reused row after row: seen[c] = 1 + the row that last touched c
  const sums = new Float64Array(columns);
  const seen = new Int32Array(columns);
  let nnz = 0;
  for (let r = 0; r < rows; r++) {
    const rowStart = nnz;
    // nnz ≤ q throughout, so a write to indices[nnz] never overtakes an entry not yet read
    for (let q = start[r] as number; q < (start[r + 1] as number); q++) {
      const c = indices[q] as number;
      const w = typeWeight[data[q] as number] as number;
      if (seen[c] !== r + 1) {
        seen[c] = r + 1;
        sums[c] = w;
        indices[nnz++] = c;
      } else sums[c] = (sums[c] as number) + w;
    }
    indices.subarray(rowStart, nnz).sort();
    for (let k = rowStart; k < nnz; k++) data[k] = sums[indices[k] as number] as number;
    indptr[r + 1] = nnz;
  }
  return nnz === total ? { rows, cols: columns, indptr, indices, data } : { rows, cols: columns, indptr, indices: indices.slice(0, nnz), data: data.slice(0, nnz) };
}

function testSet(cols: EventColumns, role: Uint8Array, userIndex: Int32Array, itemIndex: Int32Array, userCount: number): TestSet {
  const n = cols.length;
  const start = new Int32Array(userCount + 1);
  for (let p = 0; p < n; p++) if (role[p] === TEST) start[(userIndex[cols.user(p)] as number) + 1]++;
  for (let u = 0; u < userCount; u++) start[u + 1] += start[u] as number;
  const itemsOf = new Int32Array(start[userCount] as number);
  const cursor = start.slice(0, userCount);
  for (let p = 0; p < n; p++) if (role[p] === TEST) itemsOf[cursor[userIndex[cols.user(p)] as number]++] = itemIndex[cols.item(p)] as number;
  const users: number[] = [];
  const relevant: Int32Array[] = [];
  for (let u = 0; u < userCount; u++) {
    if (start[u] === start[u + 1]) continue;
    const list = itemsOf.subarray(start[u] as number, start[u + 1] as number).sort();
    let m = 0;
    for (let k = 0; k < list.length; k++) if (k === 0 || list[k] !== list[k - 1]) list[m++] = list[k] as number;
    users.push(u);
    relevant.push(list.slice(0, m));
  }
  return { users: Int32Array.from(users), relevant };
}

/** Latest timestamp of each stored entry over every train row (weight-0 rows too, as the engine does), and the newest one. */
function entryTimestamps(cols: EventColumns, role: Uint8Array, m: CsrMatrix, userIndex: Int32Array, itemIndex: Int32Array): { timestamps?: Float64Array; now?: number } {
  const timestamps = new Float64Array(m.indices.length).fill(-Infinity);
  let now = -Infinity;
  let any = false;
  for (let p = 0; p < cols.length; p++) {
    if (role[p] !== TRAIN) continue;
    any = true;
    const u = userIndex[cols.user(p)] as number;
    const i = itemIndex[cols.item(p)] as number;
    const t = cols.timestamp(p);
    if (t > now) now = t;
    const k = entryIndex(m, u, i);
    if (k >= 0 && t > (timestamps[k] as number)) timestamps[k] = t;
  }
  return any ? { timestamps, now } : {};
}
