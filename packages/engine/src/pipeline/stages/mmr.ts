import { ordinalOf, ordinalSimilarity, type ContentIndex } from '../../retrieval/content.ts';
import type { Candidate, CatalogItem, PropertyValue } from '../types.ts';
import type { CapCounter } from './caps.ts';

/**
 * Item similarity in two steps: `prepare` each candidate once (resolve ids, collect features),
 * then `between` on the prepared forms — MMR compares every candidate with every pick.
 */
export interface Similarity<P = unknown> {
  prepare(item: CatalogItem): P;
  between(a: P, b: P): number;
}

function valueSet(v: PropertyValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** Cosine of the one-hot vectors of the items' values of `properties` (categories, brand …). */
export function propertySimilarity(properties: readonly string[]): Similarity<Set<string>> {
  return {
    prepare(it) {
      const s = new Set<string>();
      for (const p of properties) for (const v of valueSet(it.properties[p])) s.add(`${p}=${v}`);
      return s;
    },
    between(fa, fb) {
      if (fa.size === 0 || fb.size === 0) return 0;
      let inter = 0;
      for (const f of fa) if (fb.has(f)) inter++;
      // cosine, the same measure intra-list diversity is reported in
      return inter / Math.sqrt(fa.size * fb.size);
    },
  };
}

/** Content-index cosine when the index knows both items and finds overlap, else property overlap. */
export function itemSimilarity(content: ContentIndex | undefined, properties: readonly string[]): Similarity<{ o: number | undefined; item: CatalogItem; p?: Set<string> }> {
  const byProps = propertySimilarity(properties);
  return {
    prepare: (item) => ({ o: content ? ordinalOf(content, item.id) : undefined, item }),
    between(a, b) {
      if (content && a.o !== undefined && b.o !== undefined) {
        const s = ordinalSimilarity(content, a.o, b.o);
        if (s > 0) return s;
      }
      // property sets are built only when the content index had nothing to say
      a.p ??= byProps.prepare(a.item);
      b.p ??= byProps.prepare(b.item);
      return byProps.between(a.p, b.p);
    },
  };
}

/**
 * Fills the empty slots of `slots` greedily by maximal marginal relevance:
 * λ·relevance − (1 − λ)·mean similarity to the items already in the list, λ = 1 − diversity,
 * relevance being the score min-max normalized over the pool. Mean rather than the classic max
 * similarity: intra-list diversity is a mean over pairs, and with multi-valued properties
 * (genres) the max saturates — on ml-latest-small the mean gives more diversity for the same
 * NDCG loss (bench/pipeline.ts). Caps are respected; the penalty paid is the `diversity` part.
 */
export function selectMmr<P>(pool: readonly Candidate[], slots: Array<Candidate | undefined>, diversity: number, similarity: Similarity<P>, caps: CapCounter): void {
  const lambda = 1 - diversity;
  let min = Infinity;
  let max = -Infinity;
  for (const c of pool) {
    if (c.score < min) min = c.score;
    if (c.score > max) max = c.score;
  }
  const span = max - min || 1;
  const rel = pool.map((c) => (c.score - min) / span);
  const sumSim = new Float64Array(pool.length);
  const prepared = diversity > 0 ? pool.map((c) => similarity.prepare(c.item)) : [];
  let nSel = 0;
  const taken = new Uint8Array(pool.length);
  const chosen = slots.filter((c): c is Candidate => c !== undefined);
  if (diversity > 0)
    for (const s of chosen) {
      nSel++;
      const ps = similarity.prepare(s.item);
      for (let k = 0; k < pool.length; k++) sumSim[k] += similarity.between(prepared[k], ps);
    }
  const pen = (k: number) => (nSel > 0 ? sumSim[k] / nSel : 0);
  for (let slot = 0; slot < slots.length; slot++) {
    if (slots[slot]) continue;
    let best = -1;
    let bestValue = -Infinity;
    for (let k = 0; k < pool.length; k++) {
      if (taken[k] || !caps.allows(pool[k].item)) continue;
      const v = lambda * rel[k] - (1 - lambda) * pen(k);
      if (v > bestValue) {
        bestValue = v;
        best = k;
      }
    }
    if (best < 0) return;
    taken[best] = 1;
    const pick = pool[best];
    if (diversity > 0 && pen(best) > 0) pick.parts.diversity = -(1 - lambda) * pen(best);
    slots[slot] = pick;
    caps.add(pick.item);
    if (diversity > 0) {
      nSel++;
      for (let k = 0; k < pool.length; k++)
        if (!taken[k]) {
          sumSim[k] += similarity.between(prepared[k], prepared[best]);
        }
    }
  }
}
