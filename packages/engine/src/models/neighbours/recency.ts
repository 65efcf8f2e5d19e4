import type { CsrMatrix } from '../../data/csr.ts';

/**
 * Per-entry weights that favour each user's latest interactions: the entry with k newer
 * entries in the same row weighs 0.5^(k / halfLife). Counting entries rather than time keeps the
 * weighting meaningful for users with bursty or sparse activity. Ties in time go to the larger
 * item index being newer, so the result is deterministic.
 */
export function recencyWeights(m: CsrMatrix, timestamps: Float64Array, halfLife: number): Float32Array {
  if (timestamps.length !== m.data.length) throw new RangeError(`timestamps (${timestamps.length}) must align with matrix entries (${m.data.length})`);
  const out = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const start = m.indptr[r] as number;
    const end = m.indptr[r + 1] as number;
    const order = Array.from({ length: end - start }, (_, k) => start + k);
    order.sort((a, b) => (timestamps[b] as number) - (timestamps[a] as number) || b - a);
    order.forEach((p, k) => (out[p] = Math.pow(0.5, k / halfLife)));
  }
  return out;
}
