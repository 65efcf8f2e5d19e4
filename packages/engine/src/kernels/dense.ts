/**
 * Dense symmetric positive-definite algebra on row-major n×n matrices (plain JS reference
 * versions; faster kernels may replace the bodies but keep these signatures).
 */

/** Error raised when a matrix is not positive definite (e.g. EASE with λ = 0 on rank-deficient data). */
export class NotPositiveDefiniteError extends Error {
  readonly code = 'not_positive_definite';
  constructor(readonly pivot: number) {
    super(`matrix is not positive definite (pivot ${pivot}); increase the regularization`);
  }
}

/** In-place Cholesky factorization A = L·Lᵀ; the lower triangle of `a` becomes L (upper is left as is). */
export function choleskyInPlace(a: Float64Array | Float32Array, n: number): void {
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = a[rj + j] as number;
    for (let k = 0; k < j; k++) d -= (a[rj + k] as number) * (a[rj + k] as number);
    if (!(d > 0)) throw new NotPositiveDefiniteError(j);
    const ljj = Math.sqrt(d);
    a[rj + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = a[ri + j] as number;
      for (let k = 0; k < j; k++) s -= (a[ri + k] as number) * (a[rj + k] as number);
      a[ri + j] = s / ljj;
    }
  }
}

/** Inverse of an SPD matrix via Cholesky; returns a new full (symmetric) matrix. */
export function invertSpd(a: Float64Array | Float32Array, n: number): Float64Array {
  const l = Float64Array.from(a);
  choleskyInPlace(l, n);
  // invert L (lower triangular) in place into linv
  const linv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    linv[i * n + i] = 1 / (l[i * n + i] as number);
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= (l[i * n + k] as number) * (linv[k * n + j] as number);
      linv[i * n + j] = s / (l[i * n + i] as number);
    }
  }
  // A⁻¹ = L⁻ᵀ · L⁻¹
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += (linv[k * n + i] as number) * (linv[k * n + j] as number);
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Solves A·x = b for SPD A (n×n, row-major, small n such as a factor count). */
export function solveSpd(a: Float64Array | Float32Array, b: Float64Array | Float32Array, n: number): Float64Array {
  const l = Float64Array.from(a);
  choleskyInPlace(l, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (y[k] as number);
    y[i] = s / (l[i * n + i] as number);
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i] as number;
    for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number);
    x[i] = s / (l[i * n + i] as number);
  }
  return x;
}
