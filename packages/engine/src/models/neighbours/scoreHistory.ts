import type { CsrMatrix, SparseVector } from '../../data/csr.ts';

/**
 * Scores every item as Σ over history items h of weight(h)·W[h, item], where W holds each
 * item's neighbour list. `binary` ignores history values (every history item weighs 1).
 */
export function scoreHistory(neighbours: CsrMatrix, history: SparseVector, binary: boolean, out: Float32Array): Float32Array {
  out.fill(0);
  const { indptr, indices, data } = neighbours;
  for (let h = 0; h < history.indices.length; h++) {
    const item = history.indices[h] as number;
    if (item < 0 || item >= neighbours.rows) continue;
    const w = binary ? 1 : (history.values[h] as number);
    for (let p = indptr[item] as number; p < (indptr[item + 1] as number); p++) {
      const j = indices[p] as number;
      out[j] = (out[j] as number) + w * (data[p] as number);
    }
  }
  return out;
}
