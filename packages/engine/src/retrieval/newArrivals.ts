import type { CatalogItem } from '../pipeline/types.ts';
import type { Retrieved, RetrievalQuery } from './types.ts';

/** The newest items by createdAt, newest first (plain JSON, rebuilt when the catalogue changes). */
export interface NewArrivalsIndex {
  version: 1;
  items: Array<[string, number]>;
}

export function buildNewArrivalsIndex(items: Iterable<CatalogItem>, topK = 2000): NewArrivalsIndex {
  const list: Array<[string, number]> = [];
  for (const it of items) if (it.createdAt !== undefined && it.available) list.push([it.id, it.createdAt]);
  list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return { version: 1, items: list.slice(0, topK) };
}

/** New arrivals younger than `maxAgeMs`, scored by freshness exp(−age / maxAge). */
export function retrieveNewArrivals(query: RetrievalQuery, n: number, maxAgeMs = 30 * 86_400_000): Retrieved[] {
  const ages: number[] = [];
  return walk(query, n, maxAgeMs, ages).map((item, k) => ({ item, score: Math.exp(-(ages[k] as number) / maxAgeMs), reason: { type: 'new-arrival', text: 'New arrival' } }));
}

/**
 * The items retrieveNewArrivals returns, without scores or reasons: exploration samples from
 * ten times what it shows, and needs neither for the items it does not keep.
 */
export function newArrivalItems(query: RetrievalQuery, n: number, maxAgeMs = 30 * 86_400_000): CatalogItem[] {
  return walk(query, n, maxAgeMs);
}

/** One walk down the index (newest first) that stops at n kept items; their ages go to `ages`. */
function walk(query: RetrievalQuery, n: number, maxAgeMs: number, ages?: number[]): CatalogItem[] {
  const idx = query.indexes.newArrivals;
  const out: CatalogItem[] = [];
  if (!idx) return out;
  const now = query.inputs.context.now;
  const { catalog } = query.inputs;
  for (const [id, t] of idx.items) {
    if (out.length >= n) break;
    const age = now - t;
    if (age > maxAgeMs) break;
    if (age < 0 || query.isExcluded(id)) continue;
    const item = catalog.byId(id);
    if (!item || !item.available) continue;
    out.push(item);
    ages?.push(age);
  }
  return out;
}
