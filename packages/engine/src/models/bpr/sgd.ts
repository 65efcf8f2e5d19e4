import type { CsrMatrix } from '../../data/csr.ts';

/** The arrays one BPR SGD run reads and updates (possibly shared between threads). */
export interface BprState {
  /** users × items, rows sorted (binary search rejects sampled negatives the user has) */
  matrix: CsrMatrix;
  /** row of every stored entry, so a uniform entry gives a (user, positive item) pair */
  entryUser: Int32Array;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  itemBias: Float32Array;
  factors: number;
}

export interface BprStep {
  learningRate: number;
  regularization: number;
  samples: number;
  seed: number;
}

/** Row index of every stored entry of a CSR matrix. */
export function entryRows(m: CsrMatrix): Int32Array {
  const out = new Int32Array(m.indices.length);
  for (let r = 0; r < m.rows; r++) out.fill(r, m.indptr[r] as number, m.indptr[r + 1] as number);
  return out;
}

/**
 * `samples` BPR SGD steps (Rendle et al. 2009): draw a stored (user, item) entry uniformly and a
 * negative item uniformly among the items the user has not interacted with, then take one
 * gradient step on ln σ(x̂ᵤᵢ − x̂ᵤⱼ) with L2 regularization. Written as one flat loop over
 * typed arrays with inline xorshift generators (one for entries, one for negatives) because
 * this is the hot path; lock-free on shared arrays (Hogwild) when several threads run it at
 * once. Returns the share of samples already ranked correctly before their step (a cheap
 * training-progress signal).
 */
export function bprSgd(s: BprState, step: BprStep): number {
  const { matrix, entryUser, userFactors: x, itemFactors: y, itemBias: b, factors: f } = s;
  const { indptr, indices } = matrix;
  const nnz = indices.length;
  const nItems = matrix.cols;
  const lr = step.learningRate;
  const reg = step.regularization;
  let state = (step.seed ^ 0x9e3779b9) | 0 || 1;
  // negatives come from a second stream so that the WASM kernel can draw a batch of entries
  // ahead of their negatives and still take exactly these steps
  let neg = (state ^ 0x6a09e667) | 0 || 1;
  let correct = 0;
  let done = 0;
  if (nnz === 0 || nItems < 2) return 0;
  for (let n = 0; n < step.samples; n++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const q = Math.floor((state >>> 0) * 2.3283064365386963e-10 * nnz);
    const u = entryUser[q] as number;
    const i = indices[q] as number;
    const lo = indptr[u] as number;
    const hi = indptr[u + 1] as number;
    if (hi - lo >= nItems) continue;
    let j = 0;
    // resample negatives the user has (rare: histories are a small share of the catalogue)
    for (;;) {
      neg ^= neg << 13;
      neg ^= neg >>> 17;
      neg ^= neg << 5;
      j = Math.floor((neg >>> 0) * 2.3283064365386963e-10 * nItems);
      if (!contains(indices, lo, hi, j)) break;
    }
    const uo = u * f;
    const io = i * f;
    const jo = j * f;
    let d = (b[i] as number) - (b[j] as number);
    for (let k = 0; k < f; k++) d += (x[uo + k] as number) * ((y[io + k] as number) - (y[jo + k] as number));
    if (d > 0) correct++;
    done++;
    const z = 1 / (1 + Math.exp(d));
    for (let k = 0; k < f; k++) {
      const xu = x[uo + k] as number;
      const yi = y[io + k] as number;
      const yj = y[jo + k] as number;
      x[uo + k] = xu + lr * (z * (yi - yj) - reg * xu);
      y[io + k] = yi + lr * (z * xu - reg * yi);
      y[jo + k] = yj + lr * (-z * xu - reg * yj);
    }
    b[i] = (b[i] as number) + lr * (z - reg * (b[i] as number));
    b[j] = (b[j] as number) + lr * (-z - reg * (b[j] as number));
  }
  return done > 0 ? correct / done : 0;
}

/** Binary search for `v` in the sorted slice indices[lo, hi). */
function contains(indices: Int32Array, lo: number, hi: number, v: number): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const m = indices[mid] as number;
    if (m === v) return true;
    if (m < v) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/**
 * Learns one user vector against fixed item factors (fold-in): SGD on the user's side only,
 * sampling positives from `items` and uniform negatives, from a zero start.
 */
export function bprFoldIn(items: Int32Array, y: Float32Array, b: Float32Array, nItems: number, f: number, step: BprStep): Float32Array {
  const x = new Float32Array(f);
  const sorted = Int32Array.from(items).sort();
  if (sorted.length === 0 || sorted.length >= nItems) return x;
  let state = (step.seed ^ 0x9e3779b9) | 0 || 1;
  // negatives come from a second stream so that the WASM kernel can draw a batch of entries
  // ahead of their negatives and still take exactly these steps
  let neg = (state ^ 0x6a09e667) | 0 || 1;
  const lr = step.learningRate;
  const reg = step.regularization;
  for (let n = 0; n < step.samples; n++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const i = sorted[Math.floor((state >>> 0) * 2.3283064365386963e-10 * sorted.length)] as number;
    let j = 0;
    do {
      neg ^= neg << 13;
      neg ^= neg >>> 17;
      neg ^= neg << 5;
      j = Math.floor((neg >>> 0) * 2.3283064365386963e-10 * nItems);
    } while (contains(sorted, 0, sorted.length, j));
    const io = i * f;
    const jo = j * f;
    let d = (b[i] as number) - (b[j] as number);
    for (let k = 0; k < f; k++) d += (x[k] as number) * ((y[io + k] as number) - (y[jo + k] as number));
    const z = 1 / (1 + Math.exp(d));
    for (let k = 0; k < f; k++) x[k] += lr * (z * ((y[io + k] as number) - (y[jo + k] as number)) - reg * (x[k] as number));
  }
  return x;
}
