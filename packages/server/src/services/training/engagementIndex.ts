import type { EngagementStats } from '@attune/engine';
import type { Impression } from '../../ports/onlineState.ts';
import type { Store } from '../../ports/store.ts';

/**
 * Bound on the shown lists the trainer reads from the recommendation log: the newest 200,000
 * (each a list of items). Exploration needs recent counts, not all of history, and the artifact
 * carries one entry per shown item, so the index stays small however long the server runs.
 */
export const MAX_LOGGED_IMPRESSIONS = 200_000;

/** An event of the training scan that came back with a recommendation id. */
export interface RecommendedEvent {
  recommendationId: string;
  itemId: string;
  type: string;
}

/** The newest shown lists of the recommendation log, newest first, at most `max` (one indexed read). */
export async function collectImpressions(store: Store, max = MAX_LOGGED_IMPRESSIONS): Promise<Impression[]> {
  return store.newestShownLists(max);
}

/**
 * Impressions and engagements per item for exploration. An impression is an item in a shown
 * list; an engagement is a shown item that got at least one event of a type weighted above 0
 * carrying that list's recommendation id (so engagements never exceed impressions, and a type
 * training ignores does not count). Events for lists outside the bounded log count nothing.
 */
export function buildEngagementIndex(impressions: readonly Impression[], events: readonly RecommendedEvent[], typeWeights: Readonly<Record<string, number>>, defaultWeight = 1): Record<string, EngagementStats> | undefined {
  if (impressions.length === 0) return undefined;
  // no prototype: an item id such as "__proto__" or "constructor" is just a key
  const out = Object.create(null) as Record<string, EngagementStats>;
  const shown = new Map<string, Set<string>>();
  for (const imp of impressions) {
    const items = new Set(imp.itemIds);
    shown.set(imp.recommendationId, items);
    for (const id of items) {
      const st = out[id];
      if (st) st.impressions++;
      else out[id] = { impressions: 1, engagements: 0 };
    }
  }
  const engaged = new Set<string>();
  for (const e of events) {
    const weight = Object.hasOwn(typeWeights, e.type) ? (typeWeights[e.type] as number) : defaultWeight;
    if (!(weight > 0) || !shown.get(e.recommendationId)?.has(e.itemId)) continue;
    const key = `${e.recommendationId}\u0000${e.itemId}`;
    if (engaged.has(key)) continue;
    engaged.add(key);
    (out[e.itemId] as EngagementStats).engagements++;
  }
  return out;
}
