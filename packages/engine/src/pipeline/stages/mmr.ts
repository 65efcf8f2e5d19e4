import { contentSimilarity, type ContentIndex } from '../../retrieval/content.ts';
import type { Candidate, CatalogItem, PropertyValue } from '../types.ts';
import type { CapCounter } from './caps.ts';

export type Similarity = (a: CatalogItem, b: CatalogItem) => number;

function valueSet(v: PropertyValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** Jaccard overlap of the items' values of `properties` (e.g. categories, brand). */
export function propertySimilarity(properties: readonly string[]): Similarity {
  const cache = new Map<string, Set<string>>();
  const features = (it: CatalogItem): Set<string> => {
    let s = cache.get(it.id);
    if (!s) {
      s = new Set();
      for (const p of properties) for (const v of valueSet(it.properties[p])) s.add(`${p}=${v}`);
      cache.set(it.id, s);
    }
    return s;
  };
  return (a, b) => {
    const fa = features(a);
    const fb = features(b);
    if (fa.size === 0 || fb.size === 0) return 0;
    let inter = 0;
    for (const f of fa) if (fb.has(f)) inter++;
    return inter / (fa.size + fb.size - inter);
  };
}

/** Content-index cosine when the index knows both items, else property overlap. */
export function itemSimilarity(content: ContentIndex | undefined, properties: readonly string[]): Similarity {
  const byProps = propertySimilarity(properties);
  if (!content) return byProps;
  return (a, b) => {
    const s = contentSimilarity(content, a.id, b.id);
    return s > 0 ? s : byProps(a, b);
  };
}

/**
 * Fills the empty slots of `slots` greedily by maximal marginal relevance:
 * λ·relevance − (1 − λ)·max similarity to the items already in the list, λ = 1 − diversity,
 * relevance being the score min-max normalized over the pool. Caps are respected; the
 * similarity penalty paid is recorded as the `diversity` part.
 */
export function selectMmr(pool: readonly Candidate[], slots: Array<Candidate | undefined>, diversity: number, similarity: Similarity, caps: CapCounter): void {
  const lambda = 1 - diversity;
  let min = Infinity;
  let max = -Infinity;
  for (const c of pool) {
    if (c.score < min) min = c.score;
    if (c.score > max) max = c.score;
  }
  const span = max - min || 1;
  const rel = pool.map((c) => (c.score - min) / span);
  const maxSim = new Float64Array(pool.length);
  const taken = new Uint8Array(pool.length);
  const chosen = slots.filter((c): c is Candidate => c !== undefined);
  if (diversity > 0) for (const s of chosen) pool.forEach((c, k) => (maxSim[k] = Math.max(maxSim[k], similarity(c.item, s.item))));
  for (let slot = 0; slot < slots.length; slot++) {
    if (slots[slot]) continue;
    let best = -1;
    let bestValue = -Infinity;
    for (let k = 0; k < pool.length; k++) {
      if (taken[k] || !caps.allows(pool[k].item)) continue;
      const v = lambda * rel[k] - (1 - lambda) * maxSim[k];
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    if (best < 0) return;
    taken[best] = 1;
    const pick = pool[best];
    if (diversity > 0 && maxSim[best] > 0) pick.parts.diversity = -(1 - lambda) * maxSim[best];
    slots[slot] = pick;
    caps.add(pick.item);
    if (diversity > 0) for (let k = 0; k < pool.length; k++) if (!taken[k]) maxSim[k] = Math.max(maxSim[k], similarity(pool[k].item, pick.item));
  }
}
