import type { ScoredItems } from '../models/model.ts';
import { topKJs } from './topk.ts';

/** Above this k a sorted run costs more than topKJs's heap. */
export const SORTED_RUN_MAX_K = 512;

/**
 * Exact top-k with the same semantics as topKJs (skip mask, non-finite ignored, ties to the
 * smaller index, best first), faster for small k: a sorted run of the best k with a threshold,
 * so almost every score costs one comparison. Scans indices in ascending order, which is what
 * lets an equal score never displace a kept one. Falls back to topKJs for candidates or large k.
 */
export function selectTopK(scores: Float32Array, k: number, skip?: Uint8Array, candidates?: ArrayLike<number>): ScoredItems {
  if (candidates || k > SORTED_RUN_MAX_K) return topKJs(scores, k, skip, candidates);
  const kk = Math.max(0, Math.floor(k));
  const idx = new Int32Array(kk);
  const val = new Float32Array(kk);
  let cnt = 0;
  let thr = -Infinity;
  const n = scores.length;
  for (let i = 0; i < n && kk > 0; i++) {
    const x = scores[i] as number;
    if (!(x > thr) || x === Infinity || (skip !== undefined && skip[i])) continue;
    let p = cnt < kk ? cnt++ : kk - 1;
    while (p > 0 && (val[p - 1] as number) < x) {
      val[p] = val[p - 1] as number;
      idx[p] = idx[p - 1] as number;
      p--;
    }
    val[p] = x;
    idx[p] = i;
    if (cnt === kk) thr = val[kk - 1] as number;
  }
  return { items: idx.slice(0, cnt), scores: val.slice(0, cnt) };
}
