/**
 * YᵀY + λI for a row-major n×f factor matrix, in float64 (it is summed over every item, so
 * float32 accumulation would lose the small-λ diagonal on large catalogues).
 */
export function regularizedGram(factors: Float32Array, rows: number, f: number, lambda: number, out?: Float64Array): Float64Array {
  const g = out ?? new Float64Array(f * f);
  g.fill(0);
  addGramRows(factors, 0, rows, f, g);
  for (let i = 0; i < f; i++) for (let j = 0; j < i; j++) g[j * f + i] = g[i * f + j] as number;
  for (let i = 0; i < f; i++) g[i * f + i] += lambda;
  return g;
}

/** Adds Σ yᵢyᵢᵀ over rows [start, end) into the lower triangle of `g` (callers mirror it). */
export function addGramRows(factors: Float32Array, start: number, end: number, f: number, g: Float64Array): void {
  for (let r = start; r < end; r++) {
    const o = r * f;
    for (let i = 0; i < f; i++) {
      const yi = factors[o + i] as number;
      if (yi === 0) continue;
      const gi = i * f;
      for (let j = 0; j <= i; j++) g[gi + j] += yi * (factors[o + j] as number);
    }
  }
}
