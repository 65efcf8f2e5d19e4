import { typeWeightOf } from '../data/events.ts';
import { takeRanked, type Retrieved, type RetrievalQuery } from './types.ts';
import { ownValue, userKeyedRecord } from '../data/ownValue.ts';

/** An event for popularity counting (plain data). */
export interface PopularityEvent {
  userId?: string;
  itemId: string;
  type?: string;
  value?: number;
}

export interface PopularityOptions {
  /** weight per event type (default: every event 1); 0 drops the type */
  typeWeights?: Readonly<Record<string, number>>;
  /** segment keys of a user, e.g. ["country=FR", "plan=pro"] */
  segmentsOf?: (userId: string) => readonly string[];
  /** category values of an item, so the index can answer "popular in category" */
  categoriesOf?: (itemId: string) => readonly string[];
  /** entries kept per list */
  topK?: number;
}

/** Global, per-segment and per-category popularity, as plain JSON. */
export interface PopularityIndex {
  version: 1;
  /** weighted event count per item, for novelty */
  counts: Record<string, number>;
  /** the highest count, to normalize novelty */
  maxCount: number;
  global: Array<[string, number]>;
  segments: Record<string, Array<[string, number]>>;
  categories: Record<string, Array<[string, number]>>;
}

function ranked(m: Map<string, number>, k: number): Array<[string, number]> {
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, k);
}

function bump(m: Map<string, Map<string, number>>, key: string, item: string, w: number): void {
  let inner = m.get(key);
  if (!inner) m.set(key, (inner = new Map()));
  inner.set(item, (inner.get(item) ?? 0) + w);
}

export function buildPopularityIndex(events: readonly PopularityEvent[], opts: PopularityOptions = {}): PopularityIndex {
  const k = opts.topK ?? 500;
  const global = new Map<string, number>();
  const segments = new Map<string, Map<string, number>>();
  const categories = new Map<string, Map<string, number>>();
  for (const e of events) {
    const w = e.type === undefined ? 1 : typeWeightOf(opts.typeWeights, e.type, 1);
    if (w === 0) continue;
    global.set(e.itemId, (global.get(e.itemId) ?? 0) + w);
    if (opts.segmentsOf && e.userId !== undefined) for (const s of opts.segmentsOf(e.userId)) bump(segments, s, e.itemId, w);
  }
  if (opts.categoriesOf) for (const [item, c] of global) for (const cat of opts.categoriesOf(item)) bump(categories, cat, item, c);
  let maxCount = 0;
  const counts = userKeyedRecord<number>();
  for (const [item, c] of global) {
    counts[item] = c;
    if (c > maxCount) maxCount = c;
  }
  return {
    version: 1,
    counts,
    maxCount,
    global: ranked(global, k),
    segments: Object.fromEntries([...segments].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([s, m]) => [s, ranked(m, k)])),
    categories: Object.fromEntries([...categories].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([s, m]) => [s, ranked(m, k)])),
  };
}

/** Popular in the user's most specific segment that has data. */
export function retrievePopularInSegment(query: RetrievalQuery, n: number): Retrieved[] {
  const idx = query.indexes.popularity;
  if (!idx) return [];
  for (const s of query.segments) {
    const list = ownValue(idx.segments, s);
    if (list && list.length > 0) return takeRanked(query, list, n, () => ({ type: 'popular-in-segment', text: `Popular with people like you (${s})`, value: s }));
  }
  return [];
}

/** Popular with everyone. */
export function retrievePopular(query: RetrievalQuery, n: number): Retrieved[] {
  const idx = query.indexes.popularity;
  if (idx) return takeRanked(query, idx.global, n, () => ({ type: 'popular-in-segment', text: 'Popular with everyone', value: 'all' }));
  // no index: the serving model's popularity when it is the popularity model
  const model = query.inputs.model;
  if (!model || model.name !== 'popular') return [];
  const top = model.recommend({ history: { indices: new Int32Array(0), values: new Float32Array(0) } }, n * 2 + 10);
  const list: Array<[string, number]> = [];
  for (let k = 0; k < top.items.length; k++) {
    const item = query.inputs.catalog.byIndex(top.items[k]);
    if (item) list.push([item.id, top.scores[k]]);
  }
  return takeRanked(query, list, n, () => ({ type: 'popular-in-segment', text: 'Popular with everyone', value: 'all' }));
}
