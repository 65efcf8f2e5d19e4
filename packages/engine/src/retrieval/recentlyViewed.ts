import type { Retrieved, RetrievalQuery } from './types.ts';

/** Items the user viewed recently, newest first (for "continue where you left off"). */
export function retrieveRecentlyViewed(query: RetrievalQuery, n: number, types: readonly string[] = ['view', 'click']): Retrieved[] {
  const history = query.inputs.user?.history ?? [];
  const out: Retrieved[] = [];
  const seen = new Set<string>();
  for (let k = history.length - 1; k >= 0 && out.length < n; k--) {
    const e = history[k];
    if (!types.includes(e.type) || seen.has(e.itemId)) continue;
    seen.add(e.itemId);
    const item = query.inputs.catalog.byId(e.itemId);
    if (!item || !item.available || query.isExcluded(e.itemId)) continue;
    out.push({ item, score: 1 / (1 + out.length), reason: { type: 'recently-viewed', text: 'You looked at this recently', itemIds: [e.itemId] } });
  }
  return out;
}
