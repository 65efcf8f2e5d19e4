import type { SparseVector } from '../../data/csr.ts';
import { solveSpd } from '../../kernels/dense.ts';

/**
 * The exact implicit-ALS solution for one row given the fixed other side: forms
 * A = YᵀY + λI + Σᵢ (cᵢ−1)·yᵢyᵢᵀ and b = Σᵢ cᵢ·yᵢ with cᵢ = 1 + α·valueᵢ, and solves A·x = b by
 * Cholesky. Used for fold-in of new or updated users, and as the `cgSteps: 0` solver.
 */
export function exactSolve(history: SparseVector, y: Float32Array, gram: Float64Array, f: number, alpha: number, numRows: number): Float32Array {
  const a = Float64Array.from(gram);
  const b = new Float64Array(f);
  for (let q = 0; q < history.indices.length; q++) {
    const i = history.indices[q] as number;
    // unknown items (added after the fit) carry no factor yet
    if (i < 0 || i >= numRows) continue;
    const io = i * f;
    const cm1 = alpha * (history.values[q] as number);
    for (let r = 0; r < f; r++) {
      const yr = y[io + r] as number;
      b[r] += (1 + cm1) * yr;
      if (cm1 === 0) continue;
      const w = cm1 * yr;
      for (let c = 0; c <= r; c++) a[r * f + c] += w * (y[io + c] as number);
    }
  }
  for (let r = 0; r < f; r++) for (let c = 0; c < r; c++) a[c * f + r] = a[r * f + c] as number;
  return Float32Array.from(solveSpd(a, b, f));
}
