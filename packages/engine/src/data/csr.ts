/**
 * Compressed sparse row matrix of float32 values. Rows are users (or items for the transposed
 * CSC view), columns are items. Column indices within a row are sorted ascending and unique.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** length rows + 1; row r spans indices[indptr[r] .. indptr[r+1]) */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

export interface Triplets {
  rows: ArrayLike<number>;
  cols: ArrayLike<number>;
  values: ArrayLike<number>;
}

export type DuplicateRule = 'sum' | 'max' | 'latest';

/**
 * Builds a CSR matrix from (row, col, value) triplets. Repeated (row, col) pairs are merged by
 * `rule`: 'sum' adds, 'max' keeps the largest, 'latest' keeps the one that comes last in input
 * order (callers order triplets by time for that rule).
 */
export function csrFromTriplets(
  shape: { rows: number; cols: number },
  t: Triplets,
  rule: DuplicateRule = 'sum',
): CsrMatrix {
  const n = t.rows.length;
  if (t.cols.length !== n || t.values.length !== n) throw new RangeError('triplet arrays differ in length');
  const { rows, cols } = shape;
  const counts = new Int32Array(rows + 1);
  for (let i = 0; i < n; i++) {
    const r = t.rows[i] as number;
    const c = t.cols[i] as number;
    if (r < 0 || r >= rows || !Number.isInteger(r)) throw new RangeError(`row ${r} out of range at triplet ${i}`);
    if (c < 0 || c >= cols || !Number.isInteger(c)) throw new RangeError(`column ${c} out of range at triplet ${i}`);
    counts[r + 1]++;
  }
  for (let r = 0; r < rows; r++) counts[r + 1] += counts[r] as number;
  // stable counting sort by row keeps input order inside a row, which 'latest' relies on
  const order = new Int32Array(n);
  const cursor = counts.slice(0, rows);
  for (let i = 0; i < n; i++) order[cursor[t.rows[i] as number]++] = i;

  const indptr = new Int32Array(rows + 1);
  const outCols: number[] = [];
  const outVals: number[] = [];
  const rowMap = new Map<number, number>();
  for (let r = 0; r < rows; r++) {
    rowMap.clear();
    const start = outCols.length;
    for (let p = counts[r] as number; p < (counts[r + 1] as number); p++) {
      const i = order[p] as number;
      const c = t.cols[i] as number;
      const v = t.values[i] as number;
      const at = rowMap.get(c);
      if (at === undefined) {
        rowMap.set(c, outCols.length);
        outCols.push(c);
        outVals.push(v);
      } else if (rule === 'sum') outVals[at] = (outVals[at] as number) + v;
      else if (rule === 'max') outVals[at] = Math.max(outVals[at] as number, v);
      else outVals[at] = v;
    }
    // sort this row's columns ascending
    const len = outCols.length - start;
    if (len > 1) {
      const idx = Array.from({ length: len }, (_, k) => start + k).sort((a, b) => (outCols[a] as number) - (outCols[b] as number));
      const c2 = idx.map((k) => outCols[k] as number);
      const v2 = idx.map((k) => outVals[k] as number);
      for (let k = 0; k < len; k++) {
        outCols[start + k] = c2[k] as number;
        outVals[start + k] = v2[k] as number;
      }
    }
    indptr[r + 1] = outCols.length;
  }
  return { rows, cols, indptr, indices: Int32Array.from(outCols), data: Float32Array.from(outVals) };
}

/** The transpose (CSR of the transpose == CSC of the input). */
export function transpose(m: CsrMatrix): CsrMatrix {
  const nnz = m.indices.length;
  const indptr = new Int32Array(m.cols + 1);
  for (let p = 0; p < nnz; p++) indptr[(m.indices[p] as number) + 1]++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] += indptr[c] as number;
  const cursor = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r] as number; p < (m.indptr[r + 1] as number); p++) {
      const c = m.indices[p] as number;
      const q = cursor[c]++ as number;
      indices[q] = r;
      data[q] = m.data[p] as number;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}

/** Number of stored entries in row r. */
export function rowLength(m: CsrMatrix, r: number): number {
  return (m.indptr[r + 1] as number) - (m.indptr[r] as number);
}

/** A row as a sparse vector (views, no copy). */
/** Position of column `c` in row `r`'s entries (rows keep their columns sorted), or -1. */
export function entryIndex(m: CsrMatrix, r: number, c: number): number {
  let lo = m.indptr[r] as number;
  let hi = (m.indptr[r + 1] as number) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = m.indices[mid] as number;
    if (v === c) return mid;
    if (v < c) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function row(m: CsrMatrix, r: number): SparseVector {
  const start = m.indptr[r] as number;
  const end = m.indptr[r + 1] as number;
  return { indices: m.indices.subarray(start, end), values: m.data.subarray(start, end) };
}

/** A sparse vector: sorted unique indices with their values. */
export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

/** Builds a sparse vector from unordered (index, value) pairs, summing repeats. */
export function sparseVector(indices: ArrayLike<number>, values?: ArrayLike<number>): SparseVector {
  // sort (index, position) pairs as one native numeric sort of index·n + position (exact below
  // 2^53), then sum repeats in their order of appearance: this runs on every request's history
  const n = indices.length;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = (indices[i] as number) * n + i;
  keys.sort();
  const outIdx: number[] = [];
  const outVal: number[] = [];
  for (let k = 0; k < n; k++) {
    const key = keys[k] as number;
    const index = Math.floor(key / n);
    const pos = key - index * n;
    const v = values ? (values[pos] as number) : 1;
    const last = outIdx.length - 1;
    if (last >= 0 && outIdx[last] === index) outVal[last] = (outVal[last] as number) + v;
    else {
      outIdx.push(index);
      outVal.push(0 + v);
    }
  }
  return { indices: Int32Array.from(outIdx), values: Float32Array.from(outVal) };
}

/** Copy with every stored value replaced by 1 (binary implicit feedback). */
export function binarize(m: CsrMatrix): CsrMatrix {
  return { ...m, data: new Float32Array(m.data.length).fill(1) };
}

/** A copy of the matrix with its values mapped through `f`. */
export function mapValues(m: CsrMatrix, f: (v: number) => number): CsrMatrix {
  const data = new Float32Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = f(m.data[i] as number);
  return { ...m, data };
}

/** Count of non-empty rows per column (e.g. number of users per item). */
export function columnCounts(m: CsrMatrix): Float32Array {
  const out = new Float32Array(m.cols);
  for (let p = 0; p < m.indices.length; p++) out[m.indices[p] as number]++;
  return out;
}
