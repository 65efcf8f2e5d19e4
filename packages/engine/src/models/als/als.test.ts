import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { row, sparseVector, transpose, type CsrMatrix } from '../../data/csr.ts';
import { Rng } from '../../data/rng.ts';
import { MostPopular } from '../popularity.ts';
import { deserializeModel } from '../registry.ts';
import { ImplicitAls } from './als.ts';
import { cgUpdateRows } from './cg.ts';
import { exactSolve } from './exact.ts';
import { addGramRows, regularizedGram } from './gram.ts';
import { trainAlsJs } from './train.ts';
import { AlsWasmState, sliceRows, trainAlsWasm, wasmAlsAvailable } from './wasmAls.ts';
import { ownClusterShare, plantedFixture } from './testing.ts';

const fx = plantedFixture();

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < a.length; k++) {
    ab += (a[k] as number) * (b[k] as number);
    aa += (a[k] as number) ** 2;
    bb += (b[k] as number) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('implicit ALS', () => {
  const als = new ImplicitAls({ factors: 8, iterations: 10, regularization: 1, alpha: 2 });
  als.fit(fx.matrix);

  it('recommends the planted cluster, far better than most-popular', () => {
    const pop = new MostPopular();
    pop.fit(fx.matrix);
    const alsShare = ownClusterShare(als, fx);
    const popShare = ownClusterShare(pop, fx);
    expect(alsShare).toBeGreaterThan(0.75);
    expect(alsShare).toBeGreaterThan(popShare + 0.4);
  });

  it('serialize → deserialize gives identical scores and recommendations', () => {
    const back = deserializeModel(als.serialize());
    expect(back.name).toBe('als');
    fc.assert(
      fc.property(fc.nat(fx.matrix.rows - 1), (u) => {
        expect(back.scoreAll({ user: u })).toEqual(als.scoreAll({ user: u }));
        expect(back.recommend({ user: u }, 5)).toEqual(als.recommend({ user: u }, 5));
      }),
      { numRuns: 30 },
    );
    expect(back.similarItems(3, 5)).toEqual(als.similarItems(3, 5));
  });

  it('exact fold-in of a training user reproduces its fitted vector (exact solver)', () => {
    const exact = new ImplicitAls({ factors: 6, iterations: 4, regularization: 1, alpha: 2, cgSteps: 0 });
    exact.fit(fx.matrix);
    fc.assert(
      fc.property(fc.nat(fx.matrix.rows - 1), (u) => {
        const fitted = exact.userVector({ user: u });
        const folded = exact.foldIn(row(fx.matrix, u));
        for (let k = 0; k < 6; k++) expect(folded[k]).toBeCloseTo(fitted[k] as number, 3);
      }),
      { numRuns: 40 },
    );
  });

  it('CG fit converges to vectors close to the exact fold-in', () => {
    fc.assert(
      fc.property(fc.nat(fx.matrix.rows - 1), (u) => {
        expect(cosine(als.foldIn(row(fx.matrix, u)), als.userVector({ user: u }))).toBeGreaterThan(0.98);
      }),
      { numRuns: 40 },
    );
  });

  it('updateUser appends a new user whose recommendations follow their history', () => {
    const m = new ImplicitAls({ factors: 8, iterations: 10, regularization: 1, alpha: 2 });
    m.fit(fx.matrix);
    const cluster = 2;
    const liked = [...Array(fx.matrix.cols).keys()].filter((i) => fx.itemCluster[i] === cluster).slice(0, 8);
    const newUser = m.numUsers;
    m.updateUser(newUser, sparseVector(liked));
    expect(m.numUsers).toBe(newUser + 1);
    const rec = m.recommend({ user: newUser }, 10);
    const own = Array.from(rec.items).filter((i) => fx.itemCluster[i] === cluster).length;
    expect(own).toBeGreaterThanOrEqual(8);
    for (const i of liked) expect(Array.from(rec.items)).not.toContain(i);
    expect(m.recommend({ history: sparseVector(liked) }, 10)).toEqual(rec);
  });

  it('similar items share the cluster', () => {
    const sim = als.similarItems(0, 10);
    expect(Array.from(sim.items)).not.toContain(0);
    const own = Array.from(sim.items).filter((i) => fx.itemCluster[i] === fx.itemCluster[0]).length;
    expect(own).toBeGreaterThanOrEqual(8);
  });

  it('rejects bad parameters by name', () => {
    expect(() => new ImplicitAls({ factors: 0 })).toThrow(/factors/);
    expect(() => new ImplicitAls({ alfa: 1 })).toThrow(/unknown/);
  });
});

describe('WASM SIMD trainer', () => {
  it.runIf(wasmAlsAvailable(8))('matches the JS reference trainer', () => {
    const js = new ImplicitAls({ factors: 8, iterations: 6, regularization: 1, alpha: 2 }, { trainer: trainAlsJs });
    js.fit(fx.matrix);
    const wasm = new ImplicitAls({ factors: 8, iterations: 6, regularization: 1, alpha: 2 }, { trainer: (job) => void expect(trainAlsWasm(job)).toBe(true) });
    wasm.fit(fx.matrix);
    for (let u = 0; u < fx.matrix.rows; u += 7) expect(cosine(wasm.userVector({ user: u }), js.userVector({ user: u }))).toBeGreaterThan(0.999);
    expect(ownClusterShare(wasm, fx)).toBeGreaterThan(0.75);
  });

  // 64 factors take the kernel's unrolled path (the other counts the generic loops)
  it.runIf(wasmAlsAvailable(64))('matches the JS reference at 64 factors', () => {
    const opts = { factors: 64, iterations: 4, regularization: 1, alpha: 2 };
    const js = new ImplicitAls(opts, { trainer: trainAlsJs });
    js.fit(fx.matrix);
    const wasm = new ImplicitAls(opts, { trainer: (job) => void expect(trainAlsWasm(job)).toBe(true) });
    wasm.fit(fx.matrix);
    for (let u = 0; u < fx.matrix.rows; u += 7) expect(cosine(wasm.userVector({ user: u }), js.userVector({ user: u }))).toBeGreaterThan(0.995);
  });

  // rows of every length mod 4 and past the kernel's 32-entry prefetch chunks: the 4-entry
  // blocks, the single-entry tail and the chunk boundaries all have to add up to the JS sums
  it.runIf(wasmAlsAvailable(64))('one half step at 64 factors equals the JS CG on rows of any length', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(70), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 2 ** 30 }), (lengths, seed) => {
        const rng = new Rng(seed);
        const f = 64;
        const nItems = 80;
        const indptr = new Int32Array(lengths.length + 1);
        const indices: number[] = [];
        const data: number[] = [];
        lengths.forEach((n, u) => {
          const picked = [...new Set(Array.from({ length: n }, () => rng.int(nItems)))].sort((a, b) => a - b);
          for (const i of picked) {
            indices.push(i);
            data.push(1 + rng.int(9));
          }
          indptr[u + 1] = indices.length;
        });
        const m: CsrMatrix = { rows: lengths.length, cols: nItems, indptr, indices: Int32Array.from(indices), data: Float32Array.from(data) };
        const y = Float32Array.from({ length: nItems * f }, () => rng.normal() * 0.1);
        const x0 = Float32Array.from({ length: m.rows * f }, () => rng.normal() * 0.1);
        const gram = regularizedGram(y, nItems, f, 0.5);
        const js = x0.slice();
        cgUpdateRows(m, y, js, gram, f, 1.5, 3, 0, m.rows);
        const st = AlsWasmState.create(m.rows, nItems, f, 1.5, sliceRows(m, 0, m.rows), sliceRows(transpose(m), 0, nItems));
        expect(st).not.toBeNull();
        st!.users.set(x0);
        st!.items.set(y);
        st!.solve('users', Float32Array.from(gram), 3);
        const scale = Math.max(1e-3, ...Array.from(js, Math.abs));
        for (let k = 0; k < js.length; k++) expect(Math.abs((st!.users[k] as number) - (js[k] as number)) / scale).toBeLessThan(2e-3);
      }),
      { numRuns: 40 },
    );
  });

  it.runIf(wasmAlsAvailable(64))('partial Gram matrices at 64 factors equal the float64 JS sum over any row range', () => {
    fc.assert(
      fc.property(fc.nat(9), fc.nat(13), fc.integer({ min: 1, max: 2 ** 30 }), (start, count, seed) => {
        const rng = new Rng(seed);
        const f = 64;
        const rows = 24;
        const y = Float32Array.from({ length: rows * f }, () => rng.normal());
        const empty: CsrMatrix = { rows, cols: 1, indptr: new Int32Array(rows + 1), indices: new Int32Array(0), data: new Float32Array(0) };
        const st = AlsWasmState.create(rows, 1, f, 1, sliceRows(empty, 0, rows), sliceRows(transpose(empty), 0, 1));
        expect(st).not.toBeNull();
        st!.users.set(y);
        const got = st!.partialGram('users', start, start + count);
        const want = new Float64Array(f * f);
        addGramRows(y, start, start + count, f, want);
        for (let i = 0; i < f; i++) {
          for (let j = 0; j <= i; j++) {
            expect(got[i * f + j]).toBeCloseTo(want[i * f + j] as number, 3);
            expect(got[j * f + i]).toBe(got[i * f + j]);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('declines what it cannot run, so the default falls back to JS', () => {
    expect(wasmAlsAvailable(6)).toBe(false);
    const m = new ImplicitAls({ factors: 6, iterations: 3, regularization: 1, alpha: 2 });
    m.fit(fx.matrix);
    expect(ownClusterShare(m, fx)).toBeGreaterThan(0.6);
  });
});

describe('CG solver', () => {
  it('with f steps from zero ≈ the direct Cholesky solve', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 2 ** 30 }), (f, seed) => {
        const rng = new Rng(seed);
        const nItems = 12;
        const y = Float32Array.from({ length: nItems * f }, () => rng.normal());
        const picked = [...new Set(Array.from({ length: 1 + rng.int(8) }, () => rng.int(nItems)))];
        const h = sparseVector(picked, picked.map(() => 1 + rng.int(5)));
        const m: CsrMatrix = { rows: 1, cols: nItems, indptr: Int32Array.of(0, h.indices.length), indices: h.indices, data: h.values };
        const gram = regularizedGram(y, nItems, f, 0.5);
        const x = new Float32Array(f);
        // CG needs f steps in exact arithmetic; a few more absorb float rounding
        cgUpdateRows(m, y, x, gram, f, 1.5, 3 * f, 0, 1);
        const direct = exactSolve(h, y, gram, f, 1.5, nItems);
        const scale = Math.max(1, ...Array.from(direct, Math.abs));
        for (let k = 0; k < f; k++) expect(Math.abs((x[k] as number) - (direct[k] as number)) / scale).toBeLessThan(1e-3);
      }),
      { numRuns: 60 },
    );
  });
});

describe('Node worker-thread trainer', () => {
  it.runIf(wasmAlsAvailable(8))('two workers match the single-thread result', async () => {
    const { alsNodeTrainer } = await import('./alsNode.ts');
    const one = new ImplicitAls({ factors: 8, iterations: 5, regularization: 1, alpha: 2 });
    one.fit(fx.matrix);
    const two = new ImplicitAls({ factors: 8, iterations: 5, regularization: 1, alpha: 2 }, { trainer: alsNodeTrainer({ threads: 2 }) });
    await two.fit(fx.matrix);
    for (let u = 0; u < fx.matrix.rows; u += 7) expect(cosine(two.userVector({ user: u }), one.userVector({ user: u }))).toBeGreaterThan(0.999);
  });
});

describe('balancedCuts', () => {
  it('splits rows into contiguous ranges whose entries + ROW_COST·rows are within two rows of an equal share', async () => {
    const { balancedCuts, ROW_COST } = await import('./alsNode.ts');
    fc.assert(
      fc.property(fc.array(fc.nat(200), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 4 }), (lengths, parts) => {
        const indptr = new Int32Array(lengths.length + 1);
        lengths.forEach((n, r) => (indptr[r + 1] = (indptr[r] as number) + n));
        const nnz = indptr[lengths.length] as number;
        const m: CsrMatrix = { rows: lengths.length, cols: 1, indptr, indices: new Int32Array(nnz), data: new Float32Array(nnz) };
        const cuts = balancedCuts(m, parts);
        expect(cuts[0]).toBe(0);
        expect(cuts[parts]).toBe(m.rows);
        for (let p = 0; p < parts; p++) expect(cuts[p + 1]).toBeGreaterThanOrEqual(cuts[p] as number);
        const cost = (a: number, b: number): number => (indptr[b] as number) - (indptr[a] as number) + ROW_COST * (b - a);
        const share = cost(0, m.rows) / parts;
        const biggestRow = Math.max(...lengths) + ROW_COST;
        for (let p = 0; p < parts; p++) expect(Math.abs(cost(cuts[p] as number, cuts[p + 1] as number) - share)).toBeLessThanOrEqual(2 * biggestRow);
      }),
    );
  });
});
