import { associationStrength, userKeyedRecord, type Association, type AssociationIndex, type PopularityIndex, type TrendingIndex } from '@attune/engine';
import type { EventColumns } from './eventColumns.ts';

/**
 * The pipeline's popularity, trending and association indexes from event columns, equal to the
 * engine's builders run on the same rows (tested against them), computed per item code in
 * typed arrays rather than from an object per event.
 */

/** Weight of each type code for the retrieval indexes: a listed type's weight, else 1 (the engine's popularity/trending rule). */
function indexWeights(cols: EventColumns, typeWeights: Readonly<Record<string, number>>): Float64Array {
  const out = new Float64Array(cols.types.size);
  for (let t = 0; t < out.length; t++) {
    const name = cols.types.id(t);
    out[t] = Object.hasOwn(typeWeights, name) ? (typeWeights[name] as number) : 1;
  }
  return out;
}

/**
 * Items with a non-zero weighted event (not skipped), in order of their first such event (the
 * engine's map order); `add` sees every such event.
 */
function firstSeenOrder(cols: EventColumns, weight: Float64Array, add: (p: number, w: number) => void, skip?: (p: number) => boolean): number[] {
  const seen = new Uint8Array(cols.items.size);
  const order: number[] = [];
  for (let p = 0; p < cols.length; p++) {
    if (skip?.(p)) continue;
    const w = weight[cols.type(p)] as number;
    if (w === 0) continue;
    const i = cols.item(p);
    if (!seen[i]) {
      seen[i] = 1;
      order.push(i);
    }
    add(p, w);
  }
  return order;
}

function ranked(list: Array<[string, number]>, k: number): Array<[string, number]> {
  return list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);
}

/** buildPopularityIndex(rows, { typeWeights }) without segments or categories. */
export function popularityFromColumns(cols: EventColumns, typeWeights: Readonly<Record<string, number>>, topK = 500): PopularityIndex {
  const weight = indexWeights(cols, typeWeights);
  const sums = new Float64Array(cols.items.size);
  const order = firstSeenOrder(cols, weight, (p, w) => {
    const i = cols.item(p);
    sums[i] = (sums[i] as number) + w;
  });
  const counts = userKeyedRecord<number>();
  const list: Array<[string, number]> = [];
  let maxCount = 0;
  for (const i of order) {
    const id = cols.items.id(i);
    const c = sums[i] as number;
    counts[id] = c;
    list.push([id, c]);
    if (c > maxCount) maxCount = c;
  }
  return { version: 1, counts, maxCount, global: ranked(list, topK), segments: {}, categories: {} };
}

/** buildTrendingIndex(rows, { typeWeights, now }) with the engine's defaults (1-day half-life, baseline 0.5, top 1,000). */
export function trendingFromColumns(cols: EventColumns, typeWeights: Readonly<Record<string, number>>, now: number, opts: { halfLifeMs?: number; baseline?: number; topK?: number } = {}): TrendingIndex {
  const h = opts.halfLifeMs ?? 86_400_000;
  const at = Number.isFinite(now) ? now : 0;
  let first = at;
  for (let p = 0; p < cols.length; p++) if (cols.timestamp(p) < first) first = cols.timestamp(p);
  const span = Math.max(h, at - first);
  const weight = indexWeights(cols, typeWeights);
  const short = new Float64Array(cols.items.size);
  const total = new Float64Array(cols.items.size);
  const order = firstSeenOrder(
    cols,
    weight,
    (p, w) => {
      const i = cols.item(p);
      short[i] = (short[i] as number) + w * Math.pow(0.5, (at - cols.timestamp(p)) / h);
      total[i] = (total[i] as number) + w;
    },
    (p) => cols.timestamp(p) > at,
  );
  const baseline = opts.baseline ?? 0.5;
  const velocity = userKeyedRecord<number>();
  const list: Array<[string, number]> = [];
  for (const i of order) {
    const id = cols.items.id(i);
    // a decayed sum over a steady rate r (events per ms) tends to r·h/ln2
    const steady = ((total[i] as number) / span) * (h / Math.LN2);
    const v = (short[i] as number) - baseline * steady;
    velocity[id] = v;
    if (v > 0) list.push([id, v]);
  }
  list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { version: 1, halfLifeMs: h, at, top: list.slice(0, opts.topK ?? 1000), velocity };
}

/** The event types that form baskets (the association builder's default, passed explicitly to it in the parity test). */
export const BASKET_TYPES: readonly string[] = ['purchase', 'cart', 'add-to-cart'];

/**
 * buildAssociationIndex over the rows with its defaults (basket types above, a user's basket
 * events closer than 30 minutes form one basket, at most 50 items a basket, support ≥ 2, 50
 * rules an item), on item codes: baskets are typed-array runs, only baskets of two or more
 * items reach the pair maps. (Events carry no order or session id into the columns, so baskets
 * are per user and time gap, as they were when the trainer passed event objects.)
 */
export function associationsFromColumns(cols: EventColumns, opts: { sessionGapMs?: number; maxBasketSize?: number; minSupport?: number; maxPerItem?: number } = {}): AssociationIndex {
  const gap = opts.sessionGapMs ?? 30 * 60_000;
  const maxSize = opts.maxBasketSize ?? 50;
  const minSupport = opts.minSupport ?? 2;
  const maxPer = opts.maxPerItem ?? 50;
  const basketType = new Uint8Array(cols.types.size);
  for (let t = 0; t < basketType.length; t++) basketType[t] = BASKET_TYPES.includes(cols.types.id(t)) ? 1 : 0;
  let m = 0;
  for (let p = 0; p < cols.length; p++) m += basketType[cols.type(p)] as number;
  const rows = new Int32Array(m);
  m = 0;
  for (let p = 0; p < cols.length; p++) if (basketType[cols.type(p)]) rows[m++] = p;
  // time order, ties in row order (the engine's stable sort)
  rows.sort((a, b) => cols.timestamp(a) - cols.timestamp(b) || a - b);

  // each user's current basket: a new one after a gap; baskets numbered in order of creation
  const current = new Int32Array(cols.users.size).fill(-1);
  const lastTime = new Float64Array(cols.users.size);
  const basketOf = new Int32Array(m);
  let baskets = 0;
  for (let k = 0; k < m; k++) {
    const p = rows[k] as number;
    const u = cols.user(p);
    const t = cols.timestamp(p);
    if (current[u] === -1 || t - (lastTime[u] as number) > gap) current[u] = baskets++;
    lastTime[u] = t;
    basketOf[k] = current[u] as number;
  }
  // each basket's distinct items in arrival order, at most maxSize
  const start = new Int32Array(baskets + 1);
  for (let k = 0; k < m; k++) start[(basketOf[k] as number) + 1]++;
  for (let b = 0; b < baskets; b++) start[b + 1] += start[b] as number;
  const cursor = start.slice(0, baskets);
  const grouped = new Int32Array(m);
  for (let k = 0; k < m; k++) grouped[cursor[basketOf[k] as number]++] = cols.item(rows[k] as number);
  const stamp = new Int32Array(cols.items.size).fill(-1);
  const size = new Int32Array(baskets);
  for (let b = 0; b < baskets; b++) {
    let n = 0;
    const s = start[b] as number;
    for (let q = s; q < (start[b + 1] as number); q++) {
      const i = grouped[q] as number;
      if (stamp[i] === b) continue;
      stamp[i] = b;
      if (n < maxSize) grouped[s + n++] = i;
    }
    size[b] = n;
  }

  const inBaskets = new Float64Array(cols.items.size);
  const firstSeen: number[] = [];
  const pairs = new Map<number, Map<number, number>>();
  for (let b = 0; b < baskets; b++) {
    const items = grouped.subarray(start[b] as number, (start[b] as number) + (size[b] as number));
    for (const a of items) if (inBaskets[a]++ === 0) firstSeen.push(a);
    if (items.length < 2) continue;
    for (const a of items) {
      let row = pairs.get(a);
      if (!row) pairs.set(a, (row = new Map()));
      for (const c of items) if (c !== a) row.set(c, (row.get(c) ?? 0) + 1);
    }
  }
  const itemBaskets = userKeyedRecord<number>();
  for (const i of firstSeen) itemBaskets[cols.items.id(i)] = inBaskets[i] as number;
  const rules = userKeyedRecord<Association[]>();
  const sources = [...pairs.keys()].map((i) => cols.items.id(i)).sort();
  for (const a of sources) {
    const ai = cols.items.index(a);
    const na = inBaskets[ai] as number;
    const kept: Association[] = [];
    for (const [bi, support] of pairs.get(ai) as Map<number, number>) {
      if (support < minSupport) continue;
      const confidence = support / na;
      const lift = confidence / ((inBaskets[bi] as number) / baskets);
      kept.push([cols.items.id(bi), support, confidence, lift]);
    }
    if (kept.length === 0) continue;
    kept.sort((x, y) => associationStrength(y) - associationStrength(x) || (x[0] < y[0] ? -1 : 1));
    rules[a] = kept.slice(0, maxPer);
  }
  return { version: 1, baskets, itemBaskets, rules };
}
