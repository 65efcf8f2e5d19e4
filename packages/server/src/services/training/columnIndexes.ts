import { buildAssociationIndex, type AssociationIndex, type BasketEvent, type PopularityIndex, type TrendingIndex } from '@attune/engine';
import type { EventColumns } from './eventColumns.ts';

/**
 * The pipeline's popularity, trending and association indexes from event columns, equal to the
 * engine's builders run on the same rows (tested against them): popularity and trending sum per
 * item code into typed arrays; associations read only basket events (purchases and carts),
 * which are materialized for the engine's builder.
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

/** Items with a non-zero weighted event, in order of their first such event (the engine's map order). */
function firstSeenOrder(cols: EventColumns, weight: Float64Array, add: (p: number, w: number) => void): number[] {
  const seen = new Uint8Array(cols.items.size);
  const order: number[] = [];
  for (let p = 0; p < cols.length; p++) {
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
  const counts: Record<string, number> = {};
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
  const seen = new Uint8Array(cols.items.size);
  const order: number[] = [];
  for (let p = 0; p < cols.length; p++) {
    const t = cols.timestamp(p);
    if (t > at) continue;
    const w = weight[cols.type(p)] as number;
    if (w === 0) continue;
    const i = cols.item(p);
    if (!seen[i]) {
      seen[i] = 1;
      order.push(i);
    }
    short[i] = (short[i] as number) + w * Math.pow(0.5, (at - t) / h);
    total[i] = (total[i] as number) + w;
  }
  const baseline = opts.baseline ?? 0.5;
  const velocity: Record<string, number> = {};
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

/** The event types that form baskets (the association builder's default, passed explicitly). */
export const BASKET_TYPES: readonly string[] = ['purchase', 'cart', 'add-to-cart'];

/** buildAssociationIndex over the rows, reading only basket-type events into objects. */
export function associationsFromColumns(cols: EventColumns): AssociationIndex {
  const basketType = new Uint8Array(cols.types.size);
  for (let t = 0; t < basketType.length; t++) basketType[t] = BASKET_TYPES.includes(cols.types.id(t)) ? 1 : 0;
  const events: BasketEvent[] = [];
  for (let p = 0; p < cols.length; p++) {
    if (!basketType[cols.type(p)]) continue;
    events.push({ userId: cols.users.id(cols.user(p)), itemId: cols.items.id(cols.item(p)), type: cols.types.id(cols.type(p)), timestamp: cols.timestamp(p) });
  }
  return buildAssociationIndex(events, { types: BASKET_TYPES });
}
