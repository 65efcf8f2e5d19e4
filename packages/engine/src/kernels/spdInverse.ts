import { invertSpd, NotPositiveDefiniteError } from './dense.ts';
import { gemmSubJs, packX, packY } from './gemmJs.ts';
import { instantiateWithMemory, useWasm } from './wasm.ts';

interface DenseKernel {
  gemmSub(c: number, ldc: number, x: number, y: number, m: number, ncols: number, nb: number, lower: number): void;
}

export interface InvertOptions {
  /** pivot block width (multiple of 8); default 64, the fastest measured on this machine (bench/speed/dense.ts) */
  blockSize?: number;
  /** where to write the n×n inverse (may be `a` itself when it is a Float32Array, saving n² floats) */
  out?: Float32Array;
}

/**
 * Inverse of a symmetric positive-definite n×n matrix (row-major) in float32, by blocked in-place
 * Gauss-Jordan (no pivoting, which SPD matrices do not need). Each pivot block K of width nb:
 *   P = A_KK⁻¹ (float64, small);  A_KR ← P·A_KR;  A_RR ← A_RR − A_RK·(P·A_KR);  A_RK ← −A_RK·P;  A_KK ← P
 * so all the O(n³) work is three calls of one register-tiled C −= X·Y kernel (WASM SIMD, or plain
 * TS as fallback). Only the lower triangle is kept up to date, which halves the work: entries
 * whose row and column are both swept, or both not yet swept, are symmetric, and the others are
 * antisymmetric, so every upper value needed is ±its lower mirror. The matrix is padded to a multiple of nb with an identity block, which keeps
 * the kernel free of edge cases and leaves the inverse unchanged. Intended for EASE's
 * (XᵀX + λI)⁻¹; the f64 invertSpd in dense.ts stays the reference for small matrices.
 * Throws NotPositiveDefiniteError (pivot index) when a pivot block is not positive definite.
 */
export function invertSpdF32(a: Float32Array | Float64Array, n: number, opts: InvertOptions = {}): Float32Array {
  if (a.length < n * n) throw new RangeError(`expected ${n * n} values, got ${a.length}`);
  const nb = opts.blockSize ?? 64;
  if (nb <= 0 || nb % 8 !== 0) throw new RangeError(`blockSize must be a positive multiple of 8, got ${nb}`);
  if (opts.out && opts.out.length < n * n) throw new RangeError(`out has ${opts.out.length} slots for ${n * n} values`);
  if (n === 0) return opts.out ?? new Float32Array(0);
  const N = Math.ceil(n / nb) * nb;
  // workspace layout, in floats: the matrix, the packed column panel, the packed row panel,
  // −P packed as an X operand and P packed as a Y operand
  const A = 0;
  const X = A + N * N;
  const Y = X + N * nb;
  const PX = Y + nb * N;
  const PY = PX + nb * nb;
  const end = PY + nb * nb;
  const inst = useWasm('dense') ? instantiateWithMemory<DenseKernel>('dense', end * 4) : null;
  const mem = inst ? new Float32Array(inst.memory.buffer, 0, end) : new Float32Array(end);
  const gemm = inst
    ? (c: number, ldc: number, x: number, y: number, m: number, ncols: number, lower: boolean) =>
        inst.exports.gemmSub(c * 4, ldc, x * 4, y * 4, m, ncols, nb, lower ? 1 : 0)
    : (c: number, ldc: number, x: number, y: number, m: number, ncols: number, lower: boolean) => gemmSubJs(mem, c, ldc, x, y, m, ncols, nb, lower);

  for (let i = 0; i < n; i++) mem.set(a.subarray(i * n, i * n + n), A + i * N);
  for (let i = n; i < N; i++) mem[A + i * N + i] = 1;

  const block = new Float64Array(nb * nb);
  for (let k0 = 0; k0 < N; k0 += nb) {
    for (let i = 0; i < nb; i++) {
      for (let j = 0; j <= i; j++) {
        const v = mem[A + (k0 + i) * N + k0 + j] as number;
        block[i * nb + j] = v;
        block[j * nb + i] = v;
      }
    }
    let p: Float64Array;
    try {
      p = invertSpd(block, nb);
    } catch (e) {
      if (e instanceof NotPositiveDefiniteError) throw new NotPositiveDefiniteError(k0 + e.pivot);
      throw e;
    }
    // old column panel A[:, K] as X, with the K rows zeroed so the updates leave rows K alone;
    // rows already swept sit above the diagonal, read as −(their lower mirror)
    packX(mem, A, N, N, k0, nb, X, k0, -1);
    mem.fill(0, X + k0 * nb, X + (k0 + nb) * nb);
    // old row panel A[K, :] as Y, K columns zeroed likewise; columns not yet swept mirror (+)
    packY(mem, A, N, k0, nb, N, Y, k0 + nb);
    mem.fill(0, Y + k0 * nb, Y + (k0 + nb) * nb);
    for (let i = 0; i < nb; i++) {
      for (let k = 0; k < nb; k++) {
        const v = p[i * nb + k] as number;
        mem[PX + (i >> 2) * nb * 4 + k * 4 + (i & 3)] = -v;
        mem[PY + (k >> 3) * nb * 8 + i * 8 + (k & 7)] = p[i * nb + k] as number;
      }
    }
    // A_KR ← P·A_KR (rows K start from zero: 0 − (−P)·A_KR)
    mem.fill(0, A + k0 * N, A + (k0 + nb) * N);
    gemm(A + k0 * N, N, PX, Y, nb, N, false);
    packY(mem, A, N, k0, nb, N, Y);
    // A_RR ← A_RR − A_RK·(P·A_KR), lower triangle only
    gemm(A, N, X, Y, N, N, true);
    // A_RK ← −A_RK·P, then A_KK ← P
    for (let i = 0; i < N; i++) mem.fill(0, A + i * N + k0, A + i * N + k0 + nb);
    gemm(A + k0, N, X, PY, N, nb, false);
    for (let i = 0; i < nb; i++) for (let j = 0; j < nb; j++) mem[A + (k0 + i) * N + k0 + j] = p[i * nb + j] as number;
  }
  // every index is swept now, so the inverse is the lower triangle mirrored
  const out = opts.out ?? new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = mem[A + i * N + j] as number;
      out[i * n + j] = v;
      out[j * n + i] = v;
    }
  }
  return out;
}
