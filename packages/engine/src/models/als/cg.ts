import type { CsrMatrix } from '../../data/csr.ts';

/** Scratch vectors for one CG solver thread, reused across rows. */
export interface CgScratch {
  r: Float64Array;
  p: Float64Array;
  ap: Float64Array;
  x: Float64Array;
}

export function cgScratch(f: number): CgScratch {
  return { r: new Float64Array(f), p: new Float64Array(f), ap: new Float64Array(f), x: new Float64Array(f) };
}

/**
 * One implicit-ALS half step for rows [start, end) of `x` with conjugate gradient (Takács et
 * al. 2011, as in benfred/implicit): each row solves (YᵀY + λI + Yᵀ(Cᵤ−I)Y)·xᵤ = YᵀCᵤpᵤ with
 * `steps` CG iterations warm-started from its current value, so the matrix is never formed.
 * Confidence is 1 + α·value; `gram` is YᵀY + λI (f×f, row-major).
 */
export function cgUpdateRows(
  m: CsrMatrix,
  y: Float32Array,
  x: Float32Array,
  gram: Float64Array,
  f: number,
  alpha: number,
  steps: number,
  start: number,
  end: number,
  s: CgScratch = cgScratch(f),
): void {
  const { r, p, ap, x: xv } = s;
  for (let u = start; u < end; u++) {
    const lo = m.indptr[u] as number;
    const hi = m.indptr[u + 1] as number;
    const xo = u * f;
    if (lo === hi) {
      // no history: the exact solution of (YᵀY + λI)x = 0
      x.fill(0, xo, xo + f);
      continue;
    }
    for (let k = 0; k < f; k++) xv[k] = x[xo + k] as number;
    // r = YᵀCp − (YᵀY + λI)x − Yᵀ(C−I)Yx
    symv(gram, xv, r, f, -1);
    for (let q = lo; q < hi; q++) {
      const io = (m.indices[q] as number) * f;
      const cm1 = alpha * (m.data[q] as number);
      let d = 0;
      for (let k = 0; k < f; k++) d += (y[io + k] as number) * (xv[k] as number);
      const w = 1 + cm1 - cm1 * d;
      for (let k = 0; k < f; k++) r[k] += w * (y[io + k] as number);
    }
    let rsold = 0;
    for (let k = 0; k < f; k++) {
      p[k] = r[k] as number;
      rsold += (r[k] as number) * (r[k] as number);
    }
    for (let it = 0; it < steps && rsold > 1e-20; it++) {
      symv(gram, p, ap, f, 1);
      for (let q = lo; q < hi; q++) {
        const io = (m.indices[q] as number) * f;
        const cm1 = alpha * (m.data[q] as number);
        let d = 0;
        for (let k = 0; k < f; k++) d += (y[io + k] as number) * (p[k] as number);
        const w = cm1 * d;
        for (let k = 0; k < f; k++) ap[k] += w * (y[io + k] as number);
      }
      let pap = 0;
      for (let k = 0; k < f; k++) pap += (p[k] as number) * (ap[k] as number);
      if (!(pap > 0)) break;
      const a = rsold / pap;
      let rsnew = 0;
      for (let k = 0; k < f; k++) {
        xv[k] += a * (p[k] as number);
        r[k] -= a * (ap[k] as number);
        rsnew += (r[k] as number) * (r[k] as number);
      }
      const beta = rsnew / rsold;
      for (let k = 0; k < f; k++) p[k] = (r[k] as number) + beta * (p[k] as number);
      rsold = rsnew;
    }
    for (let k = 0; k < f; k++) x[xo + k] = xv[k] as number;
  }
}

/** out = sign · A·v for a symmetric f×f row-major A. */
function symv(a: Float64Array, v: Float64Array, out: Float64Array, f: number, sign: number): void {
  for (let i = 0; i < f; i++) {
    let s = 0;
    const o = i * f;
    for (let j = 0; j < f; j++) s += (a[o + j] as number) * (v[j] as number);
    out[i] = sign * s;
  }
}
