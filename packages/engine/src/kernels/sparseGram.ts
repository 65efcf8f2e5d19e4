import type { CsrMatrix } from '../data/csr.ts';

export interface SparseGramOptions {
  /** element type of the result (default 'f32', half the memory; EASE at 20k items is 1.6 GB) */
  precision?: 'f32' | 'f64';
  /** added to every diagonal entry, e.g. EASE's λ in XᵀX + λI */
  diagonal?: number;
}

/**
 * XᵀX as a dense row-major n×n matrix for a sparse CSR X (users × n items), e.g. EASE's item
 * co-occurrence Gram. Each user row adds its outer product; only the lower triangle is
 * accumulated (column indices in a row are sorted) and then mirrored, halving the scatter work.
 * Cost Σ nnz(row)²/2, independent of the user count otherwise.
 */
export function sparseGram(csr: CsrMatrix, n: number, opts: SparseGramOptions & { precision: 'f64' }): Float64Array;
export function sparseGram(csr: CsrMatrix, n: number, opts?: SparseGramOptions): Float32Array;
export function sparseGram(csr: CsrMatrix, n: number, opts: SparseGramOptions = {}): Float32Array | Float64Array {
  if (csr.cols > n) throw new RangeError(`matrix has ${csr.cols} columns, more than n = ${n}`);
  const g = opts.precision === 'f64' ? new Float64Array(n * n) : new Float32Array(n * n);
  const { indptr, indices, data } = csr;
  let binary = true;
  for (let p = 0; p < data.length && binary; p++) binary = data[p] === 1;
  for (let r = 0; r < csr.rows; r++) {
    const start = indptr[r] as number;
    const end = indptr[r + 1] as number;
    for (let p = start; p < end; p++) {
      const a = indices[p] as number;
      const rowA = a * n;
      // binary data (implicit feedback) skips the multiply
      if (binary) for (let q = start; q <= p; q++) g[rowA + (indices[q] as number)] += 1;
      else {
        const va = data[p] as number;
        for (let q = start; q <= p; q++) g[rowA + (indices[q] as number)] += va * (data[q] as number);
      }
    }
  }
  const diag = opts.diagonal ?? 0;
  for (let i = 0; i < n; i++) {
    g[i * n + i] += diag;
    for (let j = 0; j < i; j++) g[j * n + i] = g[i * n + j] as number;
  }
  return g;
}
