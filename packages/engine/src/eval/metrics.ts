/**
 * Full-ranking accuracy metrics at k for one user, with binary relevance (protocol P1).
 * `ranked` is the user's recommendation list, best first; only its first k entries count.
 * `relevant` holds the user's test items; items the model cannot rank still count in |T|.
 */

export interface RankingMetrics {
  precision: number;
  recall: number;
  ndcg: number;
  /** average precision at k (the user's term of MAP@k) */
  map: number;
  /** reciprocal rank of the first hit within k (the user's term of MRR@k) */
  mrr: number;
  hitRate: number;
}

export const RANKING_METRICS = ['precision', 'recall', 'ndcg', 'map', 'mrr', 'hitRate'] as const;
export type RankingMetricName = (typeof RANKING_METRICS)[number];

function hitsAt(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  let hits = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (relevant.has(ranked[r] as number)) hits++;
  return hits;
}

/** hits / k: a list shorter than k still divides by k. */
export function precisionAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  return k > 0 ? hitsAt(ranked, relevant, k) / k : 0;
}

export function recallAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  return relevant.size > 0 ? hitsAt(ranked, relevant, k) / relevant.size : 0;
}

export function hitRateAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  return hitsAt(ranked, relevant, k) > 0 ? 1 : 0;
}

/** DCG with gain 1 at rank r (1-based) discounted by log2(r + 1), over the ideal DCG of min(|T|, k) hits. */
export function ndcgAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  const ideal = idealDcg(Math.min(relevant.size, k));
  if (ideal === 0) return 0;
  let dcg = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (relevant.has(ranked[r] as number)) dcg += 1 / Math.log2(r + 2);
  return dcg / ideal;
}

/** Σ_r rel_r · Precision@r / min(|T|, k). */
export function averagePrecisionAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  const denom = Math.min(relevant.size, k);
  if (denom === 0) return 0;
  let hits = 0;
  let sum = 0;
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) {
    if (relevant.has(ranked[r] as number)) {
      hits++;
      sum += hits / (r + 1);
    }
  }
  return sum / denom;
}

export function reciprocalRankAtK(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): number {
  const n = Math.min(k, ranked.length);
  for (let r = 0; r < n; r++) if (relevant.has(ranked[r] as number)) return 1 / (r + 1);
  return 0;
}

const idealCache: number[] = [0];
export function idealDcg(hits: number): number {
  for (let h = idealCache.length; h <= hits; h++) idealCache[h] = (idealCache[h - 1] as number) + 1 / Math.log2(h + 1);
  return idealCache[hits] as number;
}

/** All ranking metrics for one user in a single pass over the top k. */
export function userRankingMetrics(ranked: ArrayLike<number>, relevant: ReadonlySet<number>, k: number): RankingMetrics {
  const n = Math.min(k, ranked.length);
  let hits = 0;
  let dcg = 0;
  let apSum = 0;
  let firstHit = 0;
  for (let r = 0; r < n; r++) {
    if (!relevant.has(ranked[r] as number)) continue;
    hits++;
    dcg += 1 / Math.log2(r + 2);
    apSum += hits / (r + 1);
    if (firstHit === 0) firstHit = r + 1;
  }
  const t = relevant.size;
  const denom = Math.min(t, k);
  return {
    precision: k > 0 ? hits / k : 0,
    recall: t > 0 ? hits / t : 0,
    ndcg: denom > 0 ? dcg / idealDcg(denom) : 0,
    map: denom > 0 ? apSum / denom : 0,
    mrr: firstHit > 0 ? 1 / firstHit : 0,
    hitRate: hits > 0 ? 1 : 0,
  };
}
