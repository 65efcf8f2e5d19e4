import type { Retrieved, RetrievalQuery } from './types.ts';

/**
 * Item-to-item neighbours from the serving model (model.similarItems) of the seed items — the
 * current item on a product page, else the user's last few history items — with a similar-to
 * reason naming the item(s) each candidate came from.
 */
export function retrieveSimilar(query: RetrievalQuery, n: number, maxSeeds = 3): Retrieved[] {
  const { model, catalog } = query.inputs;
  if (!model) return [];
  const seeds = query.seedIds.length > 0 ? query.seedIds.slice(0, maxSeeds) : query.historyIds.slice(-maxSeeds);
  const scores = new Map<string, number>();
  const because = new Map<string, string[]>();
  const items = new Map<string, Retrieved['item']>();
  for (const s of seeds) {
    const seed = catalog.byId(s);
    if (!seed || seed.index < 0 || seed.index >= model.numItems) continue;
    const top = model.similarItems(seed.index, n + 10);
    for (let k = 0; k < top.items.length; k++) {
      const item = catalog.byIndex(top.items[k]);
      if (!item || !item.available || query.isExcluded(item.id) || seeds.includes(item.id)) continue;
      items.set(item.id, item);
      scores.set(item.id, (scores.get(item.id) ?? 0) + top.scores[k]);
      const b = because.get(item.id);
      if (b) b.push(s);
      else because.set(item.id, [s]);
    }
  }
  return [...scores]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([id, score]) => {
      const ids = because.get(id)!;
      return { item: items.get(id)!, score, reason: { type: 'similar-to' as const, text: `Similar to ${ids.join(', ')}`, itemIds: ids } };
    });
}
