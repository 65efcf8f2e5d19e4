import type { CatalogItem, PipelineInputs, Reason } from '../pipeline/types.ts';
import type { PipelineIndexes } from '../pipeline/indexes.ts';
import { ownValue } from '../data/ownValue.ts';

/** One item a retriever proposes, with its raw (retriever-specific) score and why. */
export interface Retrieved {
  item: CatalogItem;
  score: number;
  reason: Reason;
}

/** What every retriever may read for one request; built once per request by the pipeline. */
export interface RetrievalQuery {
  inputs: PipelineInputs;
  indexes: PipelineIndexes;
  /** item ids the user engaged with (history + liked items), oldest first, distinct */
  historyIds: readonly string[];
  /** items the request is about: the current item (product page) or the cart */
  seedIds: readonly string[];
  /** segment keys of the user/context, e.g. "country=FR", most specific first */
  segments: readonly string[];
  /** cheap pre-filter so retrievers do not spend their budget on excluded items */
  isExcluded: (itemId: string) => boolean;
  /** the property holding an item's categories */
  categoryProperty: string;
}

/** A retriever returns at most `n` items, best first. */
export type Retriever = (query: RetrievalQuery, n: number) => Retrieved[];

/** Keeps the best-scored `n` entries of a score map, resolving ids through the catalogue. */
export function topFromScores(query: RetrievalQuery, scores: Map<string, number>, n: number, reason: (itemId: string, score: number) => Reason): Retrieved[] {
  const entries = [...scores].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Retrieved[] = [];
  for (const [id, score] of entries) {
    if (out.length >= n) break;
    if (query.isExcluded(id)) continue;
    const item = query.inputs.catalog.byId(id);
    if (!item || !item.available) continue;
    out.push({ item, score, reason: reason(id, score) });
  }
  return out;
}

/** Walks a ranked [id, score] list, skipping excluded and unavailable items, until n are kept. */
export function takeRanked(query: RetrievalQuery, ranked: ReadonlyArray<readonly [string, number]>, n: number, reason: (itemId: string) => Reason, scale = 1): Retrieved[] {
  const out: Retrieved[] = [];
  for (const [id, score] of ranked) {
    if (out.length >= n) break;
    if (query.isExcluded(id)) continue;
    const item = query.inputs.catalog.byId(id);
    if (!item || !item.available) continue;
    out.push({ item, score: score * scale, reason: reason(id) });
  }
  return out;
}

/** Category values of an item's category property (a string or a list of strings). */
export function categoriesOf(item: CatalogItem | undefined, property: string): string[] {
  const v = item ? ownValue(item.properties, property) : undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  return [];
}
