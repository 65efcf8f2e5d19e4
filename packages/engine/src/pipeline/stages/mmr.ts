import { ordinalOf, ordinalSimilarity, type ContentIndex } from '../../retrieval/content.ts';
import type { Candidate, CatalogItem, PropertyValue } from '../types.ts';
import type { CapCounter } from './caps.ts';
import { ownValue } from '../../data/ownValue.ts';

/**
 * Item similarity in two steps: `prepare` each candidate once (resolve ids, collect features),
 * then `between` on the prepared forms — MMR compares every candidate with every pick.
 */
export interface Similarity<P = unknown> {
  prepare(item: CatalogItem): P;
  between(a: P, b: P): number;
  /**
   * Optional batch form of `between`: adds between(all[k], b) to into[k] for every k whose
   * skip[k] is 0. Must give exactly the sums the one-by-one calls give (MMR calls it once per
   * pick with the whole pool, where a per-pick setup pays off).
   */
  accumulate?(all: readonly P[], b: P, skip: Uint8Array, into: Float64Array): void;
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
      for (const p of properties) for (const v of valueSet(ownValue(it.properties, p))) s.add(`${p}=${v}`);
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

interface PreparedItem {
  /** ordinal in the content index */
  o: number | undefined;
  item: CatalogItem;
  /** property values, built when first needed */
  p?: Set<string>;
}

/** Content-index cosine when the index knows both items and finds overlap, else property overlap. */
export function itemSimilarity(content: ContentIndex | undefined, properties: readonly string[]): Similarity<PreparedItem> {
  const byProps = propertySimilarity(properties);
  const fallback = (a: PreparedItem, b: PreparedItem): number => {
    // property sets are built only when the content index had nothing to say
    a.p ??= byProps.prepare(a.item);
    b.p ??= byProps.prepare(b.item);
    return byProps.between(a.p, b.p);
  };
  return {
    prepare: (item) => ({ o: content ? ordinalOf(content, item.id) : undefined, item }),
    between(a, b) {
      if (content && a.o !== undefined && b.o !== undefined) {
        const s = ordinalSimilarity(content, a.o, b.o);
        if (s > 0) return s;
      }
      return fallback(a, b);
    },
    accumulate(all, b, skip, into) {
      if (!content || b.o === undefined) {
        for (let k = 0; k < all.length; k++) if (!skip[k]) into[k] += fallback(all[k], b);
        return;
      }
      // b's sparse features scattered into a dense row once, then each candidate's dot product
      // is a walk over its own features; the same products summed in the same (feature) order
      // as ordinalSimilarity's merge, plus exact zeros for features b lacks (weights are > 0)
      const fb = content.itemFeatures[b.o];
      const wb = content.itemWeights[b.o];
      const vb = content.vectors[b.o];
      // with no property values on b the fallback is 0 for every pair: skip it
      b.p ??= byProps.prepare(b.item);
      const props = b.p.size > 0;
      const dense = scratchRow(content.features.length);
      for (let j = 0; j < fb.length; j++) dense[fb[j]] = wb[j];
      for (let k = 0; k < all.length; k++) {
        if (skip[k]) continue;
        const a = all[k];
        let s = 0;
        if (a.o !== undefined) {
          const va = vb ? content.vectors[a.o] : null;
          if (va && vb) s = ordinalSimilarity(content, a.o, b.o);
          else {
            const fa = content.itemFeatures[a.o];
            const wa = content.itemWeights[a.o];
            for (let i = 0; i < fa.length; i++) s += wa[i] * dense[fa[i]];
          }
        }
        into[k] += s > 0 ? s : props ? fallback(a, b) : 0;
      }
      for (let j = 0; j < fb.length; j++) dense[fb[j]] = 0;
    },
  };
}

let scratch = new Float64Array(0);

/** A zeroed row of at least n entries, shared by requests (left zeroed after each use). */
function scratchRow(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.max(n, scratch.length * 2));
  return scratch;
}

/**
 * The knob's scale: novelty's weight θ in the mix has twice the knob's odds,
 * θ / (1 − θ) = 2 · diversity / (1 − diversity), i.e. θ = 2d / (1 + d): at 0.5 novelty counts
 * twice relevance, 1 is pure spread. With θ = d the lower half of the knob bought changes too
 * small to see (0.3 moved ILD by ~10 % on ml-latest-small). On ml-latest-small genres, 0.1–0.3
 * is the useful range (0.3: +26 % ILD for −4 % NDCG); from ~0.5 lists are about as spread as
 * they get and only relevance keeps falling. bench/pipeline.ts reports the curve.
 */
export function noveltyWeight(diversity: number): number {
  const d = Math.min(1, Math.max(0, diversity));
  return (2 * d) / (1 + d);
}

/**
 * Relevance by rank: 1 − log2(1 + rank) / log2(HORIZON), i.e. 1 for the best candidate, 1/7 less
 * each time the rank doubles, 0 at rank 127 and below 0 further down. Scale-free (item-kNN sums,
 * ALS dot products and blended scores mean the same) and log-shaped like the value of a
 * position, so the head keeps its lead. A fixed horizon rather than the pool size keeps the
 * knob's meaning when the pool grows; the tail stays reachable when novelty outweighs it.
 */
const HORIZON = 128;
export function rankRelevance(rank: number): number {
  return 1 - Math.log2(1 + rank) / Math.log2(HORIZON);
}

/**
 * Fills the empty slots of `slots` with a diverse subset of `pool`, then orders that subset by
 * score. Greedy maximal marginal relevance with both terms on [0, 1] before mixing:
 *
 *  - relevance by rank (rankRelevance);
 *  - novelty from the mean similarity to the items already in the list (intra-list diversity is
 *    a mean over pairs; the max saturates with multi-valued genres), min-max normalized over the
 *    candidates still in play at each step: raw similarities and scores live on different
 *    scales, and without this the penalty barely moves a list until the knob is high.
 *
 * value = (1 − θ)·relevance − θ·normalized mean similarity, θ = noveltyWeight(diversity).
 * Intra-list diversity does not depend on the order, NDCG does: the picks are finally sorted by
 * score (into the slots they filled), which on ml-latest-small buys back ~2 NDCG points at the
 * same diversity. Caps count items, so the reordering cannot break them; pinned/promoted slots
 * are never touched. diversity 0 is the score order (identity). Measured against xQuAD over the
 * user's genre distribution and DPP greedy MAP on the same data (bench/pipeline.ts setup): both
 * gave less ILD per NDCG point.
 */
export function selectMmr<P>(pool: readonly Candidate[], slots: Array<Candidate | undefined>, diversity: number, similarity: Similarity<P>, caps: CapCounter): void {
  const theta = noveltyWeight(diversity);
  const m = pool.length;
  // rank of each candidate by score (ties: pool order), so the stage does not rely on pool order
  const order = Array.from({ length: m }, (_, k) => k).sort((a, b) => pool[b].score - pool[a].score || a - b);
  const rank = new Int32Array(m);
  order.forEach((k, r) => (rank[k] = r));
  const free: number[] = [];
  for (let slot = 0; slot < slots.length; slot++) if (!slots[slot]) free.push(slot);
  const picks: number[] = [];
  if (theta === 0) {
    // identity: the score order, caps skipping what they forbid
    for (const k of order) {
      if (picks.length === free.length) break;
      if (!caps.allows(pool[k].item)) continue;
      picks.push(k);
      caps.add(pool[k].item);
    }
  } else {
    const prepared = pool.map((c) => similarity.prepare(c.item));
    const taken = new Uint8Array(m);
    const addSimilarities = (b: P, skip: Uint8Array): void => {
      if (similarity.accumulate) similarity.accumulate(prepared, b, skip, sumSim);
      else for (let k = 0; k < m; k++) if (!skip[k]) sumSim[k] += similarity.between(prepared[k], b);
    };
    // sum of each candidate's similarities to the list so far (pinned/promoted items included)
    const sumSim = new Float64Array(m);
    let listed = 0;
    for (const s of slots) {
      if (!s) continue;
      listed++;
      // nothing is taken yet: every candidate gets the slot's similarity
      addSimilarities(similarity.prepare(s.item), taken);
    }
    const rel = new Float64Array(m);
    for (let k = 0; k < m; k++) rel[k] = rankRelevance(rank[k]);
    const open = new Uint8Array(m);
    while (picks.length < free.length) {
      // novelty is normalized over the candidates still allowed at this step
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = 0; k < m; k++) {
        open[k] = !taken[k] && caps.allows(pool[k].item) ? 1 : 0;
        if (!open[k]) continue;
        if (sumSim[k] < lo) lo = sumSim[k];
        if (sumSim[k] > hi) hi = sumSim[k];
      }
      if (lo === Infinity) break;
      const scale = listed > 0 && hi > lo ? theta / (hi - lo) : 0;
      let best = -1;
      let bestValue = -Infinity;
      for (let k = 0; k < m; k++) {
        if (!open[k]) continue;
        const v = (1 - theta) * rel[k] - scale * (sumSim[k] - lo);
        // ties go to the better rank
        if (v > bestValue || (v === bestValue && rank[k] < rank[best])) {
          bestValue = v;
          best = k;
        }
      }
      taken[best] = 1;
      picks.push(best);
      caps.add(pool[best].item);
      // explain: θ × the pick's mean similarity to the list (the redundancy it brought anyway)
      if (listed > 0 && sumSim[best] > 0) pool[best].parts.diversity = (-theta * sumSim[best]) / listed;
      listed++;
      addSimilarities(prepared[best], taken);
    }
    picks.sort((a, b) => rank[a] - rank[b]);
  }
  picks.forEach((k, j) => (slots[free[j]] = pool[k]));
}
