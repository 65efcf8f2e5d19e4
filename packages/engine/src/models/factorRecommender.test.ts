import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sparseVector } from '../data/csr.ts';
import { setKernelBackend } from '../kernels/wasm.ts';
import { ImplicitAls } from './als/als.ts';
import { plantedFixture } from './als/testing.ts';
import { Bpr } from './bpr/bpr.ts';
import type { FactorRecommender } from './factorRecommender.ts';

const fx = plantedFixture();

function sameAsRecommend(m: FactorRecommender): void {
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat(fx.matrix.cols - 1), { maxLength: 40 }), fc.nat(fx.matrix.rows - 1), fc.integer({ min: 0, max: 320 }), (items, user, n) => {
      const history = sparseVector(items, items.map((_, k) => 0.5 + k / Math.max(1, items.length)));
      for (const query of [{ history }, { user }]) {
        const a = m.recommend(query, n);
        const b = m.recommendTop(query, n);
        expect(Array.from(b.items)).toEqual(Array.from(a.items));
        expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
      }
    }),
    { numRuns: 60 },
  );
}

describe('FactorRecommender.recommendTop', () => {
  const als = new ImplicitAls({ factors: 8, iterations: 6, regularization: 1, alpha: 2 });
  als.fit(fx.matrix);
  const bpr = new Bpr({ factors: 16, epochs: 10, learningRate: 0.05, regularization: 0.01 });
  bpr.fit(fx.matrix);

  it('gives exactly recommend’s items, scores and tie order (ALS; BPR with its item bias)', () => {
    sameAsRecommend(als);
    sameAsRecommend(bpr);
  });

  it('keeps exact ties in index order when items share one factor row', () => {
    // items 3, 40 and 41 get item 2's factors (and bias): four-way ties wherever item 2 ranks
    for (const m of [als, bpr] as FactorRecommender[]) {
      const f = m.factors;
      const items = m.itemFactors.slice();
      for (const twin of [3, 40, 41]) items.set(items.subarray(2 * f, 3 * f), twin * f);
      m.itemFactors = items;
      const bias = (m as unknown as { itemBias?: Float32Array }).itemBias;
      if (bias) for (const twin of [3, 40, 41]) bias[twin] = bias[2] as number;
      sameAsRecommend(m);
      const top = m.recommendTop({ history: sparseVector([], []) }, fx.matrix.cols);
      const order = Array.from(top.items).filter((i) => i === 2 || i === 3 || i === 40 || i === 41);
      expect(order).toEqual([2, 3, 40, 41]);
    }
  });

  it('answers the same with the plain-JS kernels', () => {
    setKernelBackend('js');
    try {
      const m = new ImplicitAls({ factors: 8, iterations: 3, regularization: 1, alpha: 2 });
      m.fit(fx.matrix);
      sameAsRecommend(m);
    } finally {
      setKernelBackend(undefined);
    }
  });
});
