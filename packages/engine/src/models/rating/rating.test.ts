import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '../../data/rng.ts';
import { evaluateRatings, predictAll } from './evaluate.ts';
import { mae, rmse } from './metrics.ts';
import { createRatingModel, deserializeRatingModel, ratingModelNames } from './registry.ts';
import { ratingTriples } from './triples.ts';
import type { RatingTriples } from './types.ts';

/**
 * Planted ratings: users and items in taste clusters; a user rates own-cluster items high and
 * others low, plus user and item offsets and noise. Biases alone cannot see the clusters, the
 * factor models can.
 */
function plantedRatings(seed: number) {
  const rng = new Rng(seed);
  const nu = 300;
  const ni = 200;
  const k = 4;
  const userBias = Array.from({ length: nu }, () => rng.normal() * 0.3);
  const itemBias = Array.from({ length: ni }, () => rng.normal() * 0.3);
  const all: { user: number; item: number; rating: number }[] = [];
  for (let u = 0; u < nu; u++) {
    for (let n = 0; n < 40; n++) {
      const i = rng.int(ni);
      const affinity = u % k === i % k ? 1 : -0.6;
      const r = Math.round(3 + affinity + (userBias[u] as number) + (itemBias[i] as number) + rng.normal() * 0.3);
      all.push({ user: u, item: i, rating: Math.min(5, Math.max(1, r)) });
    }
  }
  const train = all.filter((_, j) => j % 5 !== 0);
  const test = all.filter((_, j) => j % 5 === 0);
  const tr = ratingTriples(train);
  return { train: tr, test: ratingTriples(test, tr.maps) };
}

describe('rating metrics', () => {
  it('rmse ≥ mae ≥ 0, both 0 on perfect predictions', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.float({ min: 1, max: 5, noNaN: true }), fc.float({ min: 1, max: 5, noNaN: true })), { minLength: 1, maxLength: 50 }), (pairs) => {
        const p = pairs.map((x) => x[0]);
        const a = pairs.map((x) => x[1]);
        expect(rmse(p, a)).toBeGreaterThanOrEqual(mae(p, a) - 1e-9);
        expect(mae(p, a)).toBeGreaterThanOrEqual(0);
        expect(rmse(a, a)).toBe(0);
      }),
    );
    expect(rmse([1, 3], [2, 5])).toBeCloseTo(Math.sqrt(2.5));
    expect(mae([1, 3], [2, 5])).toBeCloseTo(1.5);
  });
});

describe('rating models', () => {
  const { train, test } = plantedRatings(3);
  const fast = { 'biased-mf': { factors: 4, epochs: 60, learningRate: 0.02, initStd: 0.1 }, svdpp: { factors: 4, epochs: 60, learningRate: 0.02, initStd: 0.1 } };

  it('factor models recover the planted clusters that biases cannot', () => {
    const res = Object.fromEntries(evaluateRatings(train, test, ['baseline', 'biased-mf', 'svdpp'], fast).map((r) => [r.model, r.rmse]));
    const globalMean = rmse(new Float32Array(test.ratings.length).fill(mean(train)), test.ratings);
    expect(res.baseline).toBeLessThan(globalMean);
    expect(res['biased-mf']).toBeLessThan(res.baseline! - 0.15);
    expect(res.svdpp).toBeLessThan(res.baseline! - 0.15);
  });

  it('serialize → deserialize predicts identically, and stays on the rating scale', () => {
    for (const name of ratingModelNames()) {
      const m = createRatingModel(name, fast[name as keyof typeof fast]);
      m.fit(train);
      const back = deserializeRatingModel(m.serialize());
      expect(back.name).toBe(name);
      expect(predictAll(back, test)).toEqual(predictAll(m, test));
      fc.assert(
        fc.property(fc.integer({ min: -2, max: 400 }), fc.integer({ min: -2, max: 300 }), (u, i) => {
          const v = m.predict(u, i);
          expect(v).toBeGreaterThanOrEqual(1);
          expect(v).toBeLessThanOrEqual(5);
        }),
        { numRuns: 50 },
      );
    }
  });

  it('rejects unknown models and parameters by name', () => {
    expect(() => createRatingModel('nope')).toThrow(/known rating models/);
    expect(() => createRatingModel('svdpp', { factor: 3 })).toThrow(/factor/);
  });
});

function mean(t: RatingTriples): number {
  let s = 0;
  for (const r of t.ratings) s += r;
  return s / t.ratings.length;
}
