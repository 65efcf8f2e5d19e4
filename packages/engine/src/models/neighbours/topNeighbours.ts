import type { CsrMatrix } from '../../data/csr.ts';
import { topKJs } from '../../kernels/topk.ts';

/**
 * Turns the co-occurrence accumulated for one row into a similarity; returning a non-finite
 * value or ≤ 0 drops the pair. `dot` is Σ_u left[row,u]·right[u,col].
 */
export type PairScore = (row: number, col: number, dot: number) => number;

/**
 * Sparse top-k neighbour lists of left·right (e.g. itemsᵀ×users · users×items), one row at a
 * time with a dense accumulator, so memory stays O(rows·k + cols) instead of a dense rows×cols
 * similarity matrix. The diagonal is never kept. Ties go to the smaller column index.
 */
export function topNeighbours(
  left: CsrMatrix,
  right: CsrMatrix,
  k: number,
  score: PairScore,
  onProgress?: (fraction: number) => void,
): CsrMatrix {
  if (left.cols !== right.rows) throw new RangeError(`shape mismatch: ${left.cols} vs ${right.rows}`);
  const n = left.rows;
  const m = right.cols;
  const acc = new Float64Array(m);
  const seen = new Uint8Array(m);
  const touched = new Int32Array(m);
  const sims = new Float32Array(m);
  const kept = new Int32Array(m);
  const indptr = new Int32Array(n + 1);
  const outIdx: Int32Array[] = [];
  const outVal: Float32Array[] = [];
  let total = 0;
  for (let r = 0; r < n; r++) {
    let count = 0;
    for (let p = left.indptr[r] as number; p < (left.indptr[r + 1] as number); p++) {
      const u = left.indices[p] as number;
      const lv = left.data[p] as number;
      for (let q = right.indptr[u] as number; q < (right.indptr[u + 1] as number); q++) {
        const c = right.indices[q] as number;
        if (!seen[c]) {
          seen[c] = 1;
          touched[count++] = c;
        }
        acc[c] = (acc[c] as number) + lv * (right.data[q] as number);
      }
    }
    let nKept = 0;
    for (let t = 0; t < count; t++) {
      const c = touched[t] as number;
      const s = c === r && n === m ? 0 : score(r, c, acc[c] as number);
      sims[c] = s;
      if (Number.isFinite(s) && s > 0) kept[nKept++] = c;
    }
    const best = topKJs(sims, k, undefined, kept.subarray(0, nKept));
    // store neighbours by ascending index so rows stay valid CSR
    const order = Array.from(best.items.keys()).sort((a, b) => (best.items[a] as number) - (best.items[b] as number));
    outIdx.push(Int32Array.from(order, (j) => best.items[j] as number));
    outVal.push(Float32Array.from(order, (j) => best.scores[j] as number));
    total += order.length;
    indptr[r + 1] = total;
    for (let t = 0; t < count; t++) {
      const c = touched[t] as number;
      acc[c] = 0;
      seen[c] = 0;
      sims[c] = 0;
    }
    if (onProgress && (r & 255) === 0) onProgress(r / n);
  }
  const indices = new Int32Array(total);
  const data = new Float32Array(total);
  for (let r = 0, at = 0; r < n; r++) {
    indices.set(outIdx[r] as Int32Array, at);
    data.set(outVal[r] as Float32Array, at);
    at += (outIdx[r] as Int32Array).length;
  }
  return { rows: n, cols: m, indptr, indices, data };
}
