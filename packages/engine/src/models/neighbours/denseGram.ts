import type { CsrMatrix } from '../../data/csr.ts';

/**
 * Dense XᵀX restricted to the columns that have a local index (`local[c] >= 0`), as a row-major
 * n×n matrix (Float64Array by default; pass a Float32Array `out` to halve the memory, as EASE
 * does before its float32 inverse). One pass over each row's pairs, so the cost is Σ rowLength²,
 * not n³.
 */
export function denseGram<T extends Float64Array | Float32Array = Float64Array>(x: CsrMatrix, local: Int32Array, n: number, out?: T): T {
  const g = (out ?? new Float64Array(n * n)) as T;
  g.fill(0);
  const idx = new Int32Array(x.cols);
  const val = new Float64Array(x.cols);
  for (let r = 0; r < x.rows; r++) {
    let len = 0;
    for (let p = x.indptr[r] as number; p < (x.indptr[r + 1] as number); p++) {
      const l = local[x.indices[p] as number] as number;
      if (l < 0) continue;
      idx[len] = l;
      val[len++] = x.data[p] as number;
    }
    for (let a = 0; a < len; a++) {
      const base = (idx[a] as number) * n;
      const va = val[a] as number;
      for (let b = 0; b < len; b++) g[base + (idx[b] as number)] += va * (val[b] as number);
    }
  }
  return g;
}
