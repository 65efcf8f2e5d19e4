import type { CatalogItem } from '../pipeline/types.ts';
import { takeRanked, type Retrieved, type RetrievalQuery } from './types.ts';

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
  const idx = query.indexes.newArrivals;
  if (!idx) return [];
  const now = query.inputs.context.now;
  const fresh: Array<[string, number]> = [];
  for (const [id, t] of idx.items) {
    const age = now - t;
    if (age > maxAgeMs) break;
    if (age >= 0) fresh.push([id, Math.exp(-age / maxAgeMs)]);
  }
  return takeRanked(query, fresh, n, () => ({ type: 'new-arrival', text: 'New arrival' }));
}
