/**
 * Plain-TS versions of the factor kernels (factor.wat): the fallback when WebAssembly SIMD is
 * unavailable and the reference the property tests hold the WASM kernels to.
 */

/** Σ a[ao+i]·b[bo+i] for i < n. */
export function dotJs(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  // two partial sums let the JIT overlap the adds
  for (; i + 1 < n; i += 2) {
    s0 += (a[ao + i] as number) * (b[bo + i] as number);
    s1 += (a[ao + i + 1] as number) * (b[bo + i + 1] as number);
  }
  if (i < n) s0 += (a[ao + i] as number) * (b[bo + i] as number);
  return s0 + s1;
}

/** out[r] = M[r]·q for a row-major rows×dim matrix. */
export function scoreRowsJs(m: Float32Array, rows: number, dim: number, q: Float32Array, out: Float32Array): void {
  for (let r = 0, off = 0; r < rows; r++, off += dim) out[r] = dotJs(m, off, q, 0, dim);
}

/** G (dim×dim, accumulated in place) += MᵀM over the first `rows` rows of a row-major matrix. */
export function gramAccumJs(m: Float32Array, rows: number, dim: number, g: Float64Array): void {
  for (let r = 0, off = 0; r < rows; r++, off += dim) {
    for (let a = 0; a < dim; a++) {
      const x = m[off + a] as number;
      if (x === 0) continue;
      const ga = a * dim;
      for (let b = 0; b < dim; b++) g[ga + b] += x * (m[off + b] as number);
    }
  }
}
