import { typeWeightOf } from '../data/events.ts';
import { takeRanked, type Retrieved, type RetrievalQuery } from './types.ts';
import { userKeyedRecord } from '../data/ownValue.ts';

export interface TrendingEvent {
  itemId: string;
  type?: string;
  /** epoch ms */
  timestamp: number;
}

export interface TrendingOptions {
  /** an event this much older than the reference time counts half (default 1 day) */
  halfLifeMs?: number;
  /** the reference time (epoch ms); default the newest event */
  now?: number;
  typeWeights?: Readonly<Record<string, number>>;
  /** items kept */
  topK?: number;
  /**
   * velocity = short-half-life rate minus the long-run rate scaled to the same window, so
   * steady best-sellers do not look like trends; weight of that baseline (0 = pure recency)
   */
  baseline?: number;
}

/** Time-decayed event velocity per item, as plain JSON; ordering is stable as time moves on. */
export interface TrendingIndex {
  version: 1;
  halfLifeMs: number;
  /** the time the scores are measured at */
  at: number;
  /** per item, decayed velocity (events per half-life) at `at`, best first */
  top: Array<[string, number]>;
  /** decayed velocity of every item, for scoring candidates that come from other retrievers */
  velocity: Record<string, number>;
}

export function buildTrendingIndex(events: readonly TrendingEvent[], opts: TrendingOptions = {}): TrendingIndex {
  const h = opts.halfLifeMs ?? 86_400_000;
  let at = opts.now ?? -Infinity;
  if (opts.now === undefined) for (const e of events) if (e.timestamp > at) at = e.timestamp;
  if (!Number.isFinite(at)) at = 0;
  let first = at;
  for (const e of events) if (e.timestamp < first) first = e.timestamp;
  const span = Math.max(h, at - first);
  const short = new Map<string, number>();
  const total = new Map<string, number>();
  for (const e of events) {
    if (e.timestamp > at) continue;
    const w = e.type === undefined ? 1 : typeWeightOf(opts.typeWeights, e.type, 1);
    if (w === 0) continue;
    short.set(e.itemId, (short.get(e.itemId) ?? 0) + w * Math.pow(0.5, (at - e.timestamp) / h));
    total.set(e.itemId, (total.get(e.itemId) ?? 0) + w);
  }
  const baseline = opts.baseline ?? 0.5;
  // a decayed sum over a steady rate r (events per ms) tends to r·h/ln2
  const velocity = userKeyedRecord<number>();
  const list: Array<[string, number]> = [];
  for (const [id, s] of short) {
    const steady = ((total.get(id) ?? 0) / span) * (h / Math.LN2);
    const v = s - baseline * steady;
    velocity[id] = v;
    if (v > 0) list.push([id, v]);
  }
  list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { version: 1, halfLifeMs: h, at, top: list.slice(0, opts.topK ?? 1000), velocity };
}

export function retrieveTrending(query: RetrievalQuery, n: number): Retrieved[] {
  const idx = query.indexes.trending;
  if (!idx) return [];
  // every score decays by the same factor between `at` and now, so the order holds
  const decay = Math.pow(0.5, Math.max(0, query.inputs.context.now - idx.at) / idx.halfLifeMs);
  return takeRanked(query, idx.top, n, () => ({ type: 'trending', text: 'Trending now' }), decay);
}
