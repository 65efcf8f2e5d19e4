import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { invertSpd, NotPositiveDefiniteError } from './dense.ts';
import { gemmSubJs } from './gemmJs.ts';
import { invertSpdF32 } from './spdInverse.ts';
import { instantiateWithMemory, setKernelBackend } from './wasm.ts';

afterEach(() => setKernelBackend(undefined));

/** B·Bᵀ + λI for a random B (n×(n/2+1)): SPD, moderately conditioned like EASE's Gram. */
function spd(n: number, seed: number, lambda: number): Float64Array {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) - 0.5;
  const r = (n >> 1) + 1;
  const b = Float64Array.from({ length: n * r }, rnd);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let t = i === j ? lambda : 0;
      for (let k = 0; k < r; k++) t += (b[i * r + k] as number) * (b[j * r + k] as number);
      a[i * n + j] = t;
      a[j * n + i] = t;
    }
  return a;
}

const maxAbsDiff = (x: ArrayLike<number>, y: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs((x[i] as number) - (y[i] as number)));
  return m;
};
const maxAbs = (x: ArrayLike<number>) => maxAbsDiff(x, new Float64Array(x.length));

describe('gemmSub: WASM SIMD kernel equals the JS reference', () => {
  it('on random packed operands', () => {
    const arb = fc.record({ mt: fc.integer({ min: 1, max: 80 }), ct: fc.integer({ min: 1, max: 40 }), nb: fc.integer({ min: 1, max: 20 }), seed: fc.integer(), lower: fc.boolean() });
    fc.assert(
      fc.property(arb, ({ mt, ct, nb, seed, lower }) => {
        const m = mt * 4;
        const ncols = ct * 8; // up to 320 columns: crosses the kernel's 256-column chunking
        const ldc = ncols + 8;
        const total = m * ldc + m * nb + nb * ncols;
        const inst = instantiateWithMemory<{ gemmSub(...args: number[]): void }>('dense', total * 4);
        expect(inst).not.toBeNull();
        const mem = new Float32Array(inst!.memory.buffer, 0, total);
        let s = seed >>> 0 || 7;
        for (let i = 0; i < total; i++) mem[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
        const ref = mem.slice();
        const x = m * ldc;
        const y = x + m * nb;
        inst!.exports.gemmSub(0, ldc, x * 4, y * 4, m, ncols, nb, lower ? 1 : 0);
        gemmSubJs(ref, 0, ldc, x, y, m, ncols, nb, lower);
        expect(maxAbsDiff(mem, ref)).toBeLessThanOrEqual(1e-5 * nb + 1e-6);
      }),
      { numRuns: 100 },
    );
  });
});

describe('invertSpdF32 (blocked Gauss-Jordan)', () => {
  it('matches the float64 Cholesky inverse within float32 accuracy, WASM and JS alike', () => {
    const arb = fc.record({ n: fc.integer({ min: 1, max: 70 }), seed: fc.integer(), nb: fc.constantFrom(8, 16, 32, 128) });
    fc.assert(
      fc.property(arb, ({ n, seed, nb }) => {
        const a = spd(n, seed, 1);
        const want = invertSpd(a, n);
        const wasm = invertSpdF32(a, n, { blockSize: nb });
        setKernelBackend('js');
        const js = invertSpdF32(a, n, { blockSize: nb });
        setKernelBackend(undefined);
        const scale = maxAbs(want);
        expect(maxAbsDiff(wasm, want) / scale).toBeLessThan(1e-3);
        expect(maxAbsDiff(js, want) / scale).toBeLessThan(1e-3);
        expect(maxAbsDiff(wasm, js) / scale).toBeLessThan(1e-3);
      }),
      { numRuns: 60 },
    );
  });
  it('writes into `out`, which may be the input itself', () => {
    const n = 21;
    const a = Float32Array.from(spd(n, 5, 2));
    const want = invertSpdF32(a, n, { blockSize: 8 });
    const got = invertSpdF32(a, n, { blockSize: 8, out: a });
    expect(got).toBe(a);
    expect(Array.from(a)).toEqual(Array.from(want));
  });
  it('reports the failing pivot for a matrix that is not positive definite', () => {
    const a = Float64Array.from([1, 0, 0, 0, 1, 0, 0, 0, -1]);
    expect(() => invertSpdF32(a, 3, { blockSize: 8 })).toThrow(NotPositiveDefiniteError);
  });
  it('A·A⁻¹ ≈ I at n = 300 (several blocks)', () => {
    const n = 300;
    const a = spd(n, 3, 10);
    const inv = invertSpdF32(a, n, { blockSize: 64 });
    let worst = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += (a[i * n + k] as number) * (inv[k * n + j] as number);
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    expect(worst).toBeLessThan(1e-3);
  });
});
