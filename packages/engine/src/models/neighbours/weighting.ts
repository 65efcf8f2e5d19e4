import type { CsrMatrix } from '../../data/csr.ts';

/** √(Σ value²) of every row. */
export function rowNorms(m: CsrMatrix): Float64Array {
  const out = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r] as number; p < (m.indptr[r + 1] as number); p++) s += (m.data[p] as number) ** 2;
    out[r] = Math.sqrt(s);
  }
  return out;
}

/**
 * BM25 weighting of a documents × terms matrix (here items × users): a user who touched few
 * items says more about each of them (idf), and very popular items are length-normalized, so
 * heavy users and blockbusters dominate cosine less.
 */
export function bm25Weight(m: CsrMatrix, k1: number, b: number): CsrMatrix {
  const termDocs = new Float64Array(m.cols);
  for (let p = 0; p < m.indices.length; p++) termDocs[m.indices[p] as number]++;
  const lengths = new Float64Array(m.rows);
  let totalLength = 0;
  for (let r = 0; r < m.rows; r++) {
    let s = 0;
    for (let p = m.indptr[r] as number; p < (m.indptr[r + 1] as number); p++) s += m.data[p] as number;
    lengths[r] = s;
    totalLength += s;
  }
  const avgLength = m.rows > 0 ? totalLength / m.rows : 1;
  const logDocs = Math.log(Math.max(1, m.rows));
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const norm = (1 - b) + (b * (lengths[r] as number)) / (avgLength || 1);
    for (let p = m.indptr[r] as number; p < (m.indptr[r + 1] as number); p++) {
      const tf = m.data[p] as number;
      const idf = Math.max(0, logDocs - Math.log1p(termDocs[m.indices[p] as number] as number));
      data[p] = ((tf * (k1 + 1)) / (k1 * norm + tf)) * idf;
    }
  }
  return { ...m, data };
}
