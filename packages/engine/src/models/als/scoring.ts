/**
 * Scoring helpers shared by the factor models (ALS, BPR): dot products of one query vector with
 * every item row, and cosine similarity between item rows.
 */

/** out[i] = items[i]·q (+ bias[i]) over `n` rows of an n×f row-major matrix. */
export function scoreAgainst(items: Float32Array, n: number, f: number, q: Float32Array, out?: Float32Array, bias?: Float32Array): Float32Array {
  const scores = out ?? new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * f;
    let s = bias ? (bias[i] as number) : 0;
    for (let k = 0; k < f; k++) s += (items[o + k] as number) * (q[k] as number);
    scores[i] = s;
  }
  return scores;
}

/** Cosine of every item row with row `item` (0 for all-zero rows). */
export function cosineSimilarItems(items: Float32Array, n: number, f: number, item: number): Float32Array {
  const q = items.subarray(item * f, (item + 1) * f);
  const dots = scoreAgainst(items, n, f, q);
  const qn = Math.sqrt(dots[item] as number);
  for (let i = 0; i < n; i++) {
    const o = i * f;
    let s = 0;
    for (let k = 0; k < f; k++) s += (items[o + k] as number) * (items[o + k] as number);
    const d = Math.sqrt(s) * qn;
    dots[i] = d > 0 ? (dots[i] as number) / d : 0;
  }
  return dots;
}
