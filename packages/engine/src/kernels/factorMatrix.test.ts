import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { FactorMatrix } from './factorMatrix.ts';
import { dotJs, gramAccumJs, scoreRowsJs } from './factorJs.ts';
import { gram } from './gram.ts';
import { topKJs } from './topk.ts';
import { selectTopK } from './topkFast.ts';
import { instantiateWithMemory, kernelBackend, setKernelBackend } from './wasm.ts';

afterEach(() => setKernelBackend(undefined));

const f32 = (n: number) => fc.float32Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -4, max: 4 });
const shape = fc.record({ rows: fc.integer({ min: 0, max: 37 }), dim: fc.integer({ min: 1, max: 19 }) });
const withData = shape.chain(({ rows, dim }) => fc.record({ rows: fc.constant(rows), dim: fc.constant(dim), m: f32(rows * dim), q: f32(dim) }));

/** |a-b| within float32 rounding of a dot product of length dim with values up to 4. */
const close = (a: number, b: number, dim: number) => Math.abs(a - b) <= 1e-5 * 16 * dim + 1e-6 * Math.abs(b);

describe('wasm kernels are available here', () => {
  it('defaults to wasm when SIMD and the embedded binaries exist', () => {
    expect(kernelBackend()).toBe('wasm');
    setKernelBackend('js');
    expect(kernelBackend()).toBe('js');
    expect(FactorMatrix.from([1, 2], 1, 2).usesWasm).toBe(false);
  });
});

describe('WASM dot agrees with dotJs', () => {
  it('for any length, at unaligned offsets', () => {
    const arb = fc.integer({ min: 0, max: 70 }).chain((n) => fc.record({ a: f32(n), b: f32(n), shift: fc.integer({ min: 0, max: 3 }) }));
    fc.assert(
      fc.property(arb, ({ a, b, shift }) => {
        const n = a.length;
        const inst = instantiateWithMemory<{ dot(a: number, b: number, n: number): number }>('factor', 8 * n + 64);
        expect(inst).not.toBeNull();
        const mem = new Float32Array(inst!.memory.buffer);
        mem.set(a, shift);
        mem.set(b, shift + n + 1);
        const got = inst!.exports.dot(shift * 4, (shift + n + 1) * 4, n);
        expect(close(got, dotJs(a, 0, b, 0, n), n)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('FactorMatrix.score (WASM) agrees with the JS fallback', () => {
  it('for any shape, including dims not a multiple of four and row remainders', () => {
    fc.assert(
      fc.property(withData, ({ rows, dim, m, q }) => {
        const fm = FactorMatrix.from(m, rows, dim);
        expect(fm.usesWasm).toBe(true);
        const got = fm.score(q);
        const want = new Float32Array(rows);
        scoreRowsJs(m, rows, dim, q, want);
        for (let r = 0; r < rows; r++) expect(close(got[r] as number, want[r] as number, dim)).toBe(true);
        for (let r = 0; r < rows; r++) expect(close(fm.dot(r, q), dotJs(m, r * dim, q, 0, dim), dim)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('top-k selection keeps topKJs semantics', () => {
  // few distinct values so ties are common; some infinities and NaNs
  const scoreArb = fc.array(fc.oneof(fc.integer({ min: -3, max: 3 }).map((x) => x / 2), fc.constantFrom(Infinity, -Infinity, NaN)), { maxLength: 60 });
  it('WASM topK over the scratch equals topKJs (exact), with and without a skip mask', () => {
    fc.assert(
      fc.property(scoreArb, fc.integer({ min: 0, max: 70 }), fc.boolean(), fc.integer(), (values, k, useSkip, seed) => {
        const n = values.length;
        const fm = new FactorMatrix(n, 1);
        fm.data.set(values);
        const skip = useSkip ? Uint8Array.from({ length: n }, (_, i) => ((i * 7 + seed) & 3) === 0 ? 1 : 0) : undefined;
        const got = fm.topK(Float32Array.of(1), k, skip);
        const want = topKJs(Float32Array.from(values), k, skip);
        expect(Array.from(got.items)).toEqual(Array.from(want.items));
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
        const js = selectTopK(Float32Array.from(values), k, skip);
        expect(Array.from(js.items)).toEqual(Array.from(want.items));
      }),
      { numRuns: 300 },
    );
  });
  it('exclude drops listed rows, and the JS backend gives the same answer', () => {
    fc.assert(
      fc.property(withData, fc.integer({ min: 1, max: 12 }), ({ rows, dim, m, q }, k) => {
        const fm = FactorMatrix.from(m, rows, dim);
        const exclude = [0, 3, 5];
        const wasm = fm.topK(q, k, undefined, exclude);
        setKernelBackend('js');
        const js = fm.topK(q, k, undefined, exclude);
        setKernelBackend(undefined);
        for (const r of exclude) expect(Array.from(wasm.items)).not.toContain(r);
        // rankings may differ only where float rounding reorders near-ties: compare kept scores
        expect(wasm.items.length).toBe(js.items.length);
        for (let i = 0; i < js.items.length; i++) expect(close(wasm.scores[i] as number, js.scores[i] as number, dim)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

describe('quantized (int8 sweep + exact rescoring) top-k', () => {
  const intData = fc
    .record({ rows: fc.integer({ min: 0, max: 300 }), dim: fc.integer({ min: 1, max: 40 }) })
    .chain(({ rows, dim }) =>
      fc.record({
        rows: fc.constant(rows),
        dim: fc.constant(dim),
        // small integers: every score is computed exactly in any order, so results must be identical
        m: fc.array(fc.integer({ min: -8, max: 8 }), { minLength: rows * dim, maxLength: rows * dim }),
        q: fc.array(fc.integer({ min: -8, max: 8 }), { minLength: dim, maxLength: dim }),
        k: fc.integer({ min: 1, max: 25 }),
        skipEvery: fc.integer({ min: 0, max: 5 }),
        exclude: fc.array(fc.nat(Math.max(0, rows - 1)), { maxLength: 5 }),
      }),
    );
  it('equals topKJs over exact scores (integer data), with skip masks and exclusions', () => {
    fc.assert(
      fc.property(intData, ({ rows, dim, m, q, k, skipEvery, exclude }) => {
        const fm = new FactorMatrix(rows, dim, { quantized: true });
        fm.data.set(m);
        fm.quantize();
        const query = Float32Array.from(q);
        const skip = skipEvery ? Uint8Array.from({ length: rows }, (_, i) => (i % skipEvery === 1 ? 1 : 0)) : undefined;
        const got = fm.topK(query, k, skip, rows > 0 ? exclude : undefined);
        expect(fm.lastCandidates).toBeGreaterThanOrEqual(rows > 0 ? 0 : -1);
        const scores = new Float32Array(rows);
        scoreRowsJs(Float32Array.from(m), rows, dim, query, scores);
        if (rows > 0) for (const r of exclude) scores[r] = Number.NEGATIVE_INFINITY;
        const want = topKJs(scores, k, skip);
        expect(Array.from(got.items)).toEqual(Array.from(want.items));
        expect(Array.from(got.scores)).toEqual(Array.from(want.scores));
      }),
      { numRuns: 200 },
    );
  });
  // floats with four decimals: inexact in binary, and clear of the near-denormal values that
  // switch the int8 sweep off
  const dec = (n: number) => fc.array(fc.integer({ min: -40000, max: 40000 }).map((x) => Math.fround(x / 10000)), { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));
  const decData = shape.chain(({ rows, dim }) => fc.record({ rows: fc.constant(rows), dim: fc.constant(dim), m: dec(rows * dim), q: dec(dim) }));
  it('returns the exact top-k scores on float data', () => {
    fc.assert(
      fc.property(decData, fc.integer({ min: 1, max: 15 }), ({ rows, dim, m, q }, k) => {
        const fm = new FactorMatrix(rows, dim, { quantized: true });
        fm.data.set(m);
        fm.quantize();
        const got = fm.topK(q, k);
        expect(fm.lastCandidates).toBeGreaterThanOrEqual(0);
        const scores = new Float32Array(rows);
        scoreRowsJs(m, rows, dim, q, scores);
        const want = topKJs(scores, k);
        expect(got.items.length).toBe(want.items.length);
        for (let i = 0; i < want.items.length; i++) expect(close(got.scores[i] as number, want.scores[i] as number, dim)).toBe(true);
        for (let i = 0; i < got.items.length; i++) expect(got.scores[i]).toBe(scores[got.items[i] as number]);
      }),
      { numRuns: 200 },
    );
  });
  it('falls back to the f32 sweep after a non-finite value', () => {
    const fm = new FactorMatrix(3, 2, { quantized: true });
    fm.data.set([1, 0, Number.NaN, 0, 0, 1]);
    fm.quantize();
    expect(Array.from(fm.topK(Float32Array.of(1, 2), 3).items)).toEqual([2, 0]);
    expect(fm.lastCandidates).toBe(-1);
  });
});

describe('Gram matrix MᵀM', () => {
  it('WASM (FactorMatrix.gram and gram()) agrees with the f64 JS reference', () => {
    const big = fc.record({ rows: fc.integer({ min: 0, max: 600 }), dim: fc.integer({ min: 1, max: 13 }) }).chain(({ rows, dim }) =>
      fc.record({ rows: fc.constant(rows), dim: fc.constant(dim), m: f32(rows * dim) }),
    );
    fc.assert(
      fc.property(big, ({ rows, dim, m }) => {
        const want = new Float64Array(dim * dim);
        gramAccumJs(m, rows, dim, want);
        const a = FactorMatrix.from(m, rows, dim).gram();
        const b = gram(m, rows, dim);
        const tol = 1e-5 * 16 * Math.max(1, rows) + 1e-6;
        for (let i = 0; i < want.length; i++) {
          expect(Math.abs((a[i] as number) - (want[i] as number))).toBeLessThanOrEqual(tol);
          expect(Math.abs((b[i] as number) - (want[i] as number))).toBeLessThanOrEqual(tol);
        }
        // symmetric exactly: both triangles come from the same products in the same order
        for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) expect(a[i * dim + j]).toBe(a[j * dim + i]);
      }),
      { numRuns: 60 },
    );
  });
});
