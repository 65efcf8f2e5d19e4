import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sparseVector } from '../data/csr.ts';
import { ItemKnn, itemKnnFactory } from './itemKnn.ts';
import { modelContract, planted } from './neighbours/contractTests.ts';
import { getFactory } from './registry.ts';

describe('item-knn', () => {
  for (const similarity of ['cosine', 'jaccard', 'bm25'] as const) {
    describe(similarity, () => modelContract({ create: () => new ItemKnn({ similarity, k: 30 }), deserialize: itemKnnFactory.deserialize }));
  }
  describe('history neighbourhood, recency-weighted', () =>
    modelContract({ create: () => new ItemKnn({ neighbourhood: 'history', recencyHalfLife: 5, shrinkage: 5 }), deserialize: itemKnnFactory.deserialize }));

  it('keeps at most k neighbours per item, never the item itself, sorted by index', () => {
    const fx = planted();
    const m = new ItemKnn({ k: 7 });
    m.fit(fx.matrix);
    const nb = m.neighbourLists();
    for (let i = 0; i < nb.rows; i++) {
      const cols = Array.from(nb.indices.subarray(nb.indptr[i], nb.indptr[i + 1]));
      expect(cols.length).toBeLessThanOrEqual(7);
      expect(cols).not.toContain(i);
      expect(cols).toEqual([...cols].sort((a, b) => a - b));
    }
  });

  it('cosine of two items bought by exactly the same users is 1', () => {
    const matrix = { rows: 3, cols: 3, indptr: Int32Array.from([0, 2, 4, 5]), indices: Int32Array.from([0, 1, 0, 1, 2]), data: new Float32Array(5).fill(1) };
    const m = new ItemKnn({ k: 2 });
    m.fit(matrix);
    const sim = m.similarItems(0, 2);
    expect(Array.from(sim.items)).toEqual([1]);
    expect(sim.scores[0]).toBeCloseTo(1, 6);
  });

  it('recommendTop (sparse or dense) gives exactly recommend’s items, scores and tie order', () => {
    const fx = planted();
    for (const params of [{ k: 5 }, { k: 30, weightHistory: true }, { k: 100, neighbourhood: 'history' }]) {
      const m = new ItemKnn(params);
      m.fit(fx.matrix);
      fc.assert(
        fc.property(fc.uniqueArray(fc.nat(fx.matrix.cols - 1), { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 250 }), (items, n) => {
          const history = sparseVector(items, items.map((_, k) => 0.5 + k / items.length));
          const a = m.recommend({ history }, n);
          const b = m.recommendTop({ history }, n);
          expect(Array.from(b.items)).toEqual(Array.from(a.items));
          expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
        }),
        { numRuns: 200 },
      );
    }
  });

  it('is registered and rejects bad params', () => {
    expect(getFactory('item-knn').create({ k: 5 }).name).toBe('item-knn');
    expect(() => new ItemKnn({ k: 0 })).toThrow(/parameter "k"/);
    expect(() => new ItemKnn({ similarity: 'pearson' })).toThrow(/similarity/);
  });
});
