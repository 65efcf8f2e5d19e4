import { buildInteractionMatrix, type Interaction } from '../data/events.ts';
import { generateSynthetic, type SyntheticData } from '../data/synthetic.ts';
import type { Recommender } from '../models/model.ts';
import { createModel } from '../models/registry.ts';
import { memoryCatalog } from './catalogView.ts';
import type { CatalogItem, CatalogView, UserEventRecord, UserProfile } from './types.ts';

/** A fitted synthetic world for pipeline tests: planted clusters, catalogue, model. */
export interface World {
  data: SyntheticData;
  catalog: CatalogView;
  items: CatalogItem[];
  model: Recommender;
  now: number;
  historyOf(userId: string): UserEventRecord[];
}

export function syntheticWorld(model = 'item-knn', opts: { users?: number; items?: number } = {}): World {
  const data = generateSynthetic({ users: opts.users ?? 300, items: opts.items ?? 240, clusters: 6, seed: 3 });
  const m = buildInteractionMatrix(data.interactions);
  const start = Date.UTC(2026, 0, 1);
  const items: CatalogItem[] = data.items.map((it, k) => ({
    id: it.id,
    index: m.items.has(it.id) ? m.items.index(it.id) : -1,
    properties: { category: it.category, price: it.price, title: it.title, brand: `b${k % 5}` },
    available: true,
    createdAt: start - 100 * 86_400_000 + k * 60_000,
  }));
  const r = createModel(model);
  void r.fit(m.matrix, {});
  let now = 0;
  for (const e of data.interactions) if ((e.timestamp ?? 0) > now) now = e.timestamp ?? 0;
  const byUser = new Map<string, Interaction[]>();
  for (const e of data.interactions) {
    const l = byUser.get(e.userId);
    if (l) l.push(e);
    else byUser.set(e.userId, [e]);
  }
  return {
    data,
    catalog: memoryCatalog(items, m.items.size),
    items,
    model: r,
    now: now + 3_600_000,
    historyOf: (u) => (byUser.get(u) ?? []).map((e) => ({ itemId: e.itemId, type: e.type ?? 'view', timestamp: e.timestamp ?? 0 })),
  };
}

export function profile(id: string, history: readonly UserEventRecord[] = [], extra: Partial<UserProfile> = {}): UserProfile {
  return { id, index: -1, attributes: {}, history, preferences: {}, ...extra };
}
