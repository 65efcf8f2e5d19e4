import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { averagePopularity, catalogueCoverage, gini, giniExposure, intraListDiversity, meanIntraListDiversity, novelty, oneHotVectors } from './beyond.ts';

describe('beyond-accuracy measures', () => {
  const lists = [Int32Array.from([0, 1]), Int32Array.from([1, 2])];
  it('coverage counts distinct recommended items over the catalogue', () => {
    expect(catalogueCoverage(lists, 10)).toBeCloseTo(3 / 10);
    expect(catalogueCoverage([], 10)).toBe(0);
  });
  it('novelty is the mean self-information with +1 smoothing', () => {
    const counts = [3, 1, 0];
    const info = (c: number) => -Math.log2((c + 1) / (4 + 1));
    const expected = ((info(3) + info(1)) / 2 + (info(1) + info(0)) / 2) / 2;
    expect(novelty(lists, counts, 4)).toBeCloseTo(expected, 10);
  });
  it('average popularity is the mean user count of recommended items', () => {
    expect(averagePopularity(lists, [3, 1, 0])).toBeCloseTo(((3 + 1) / 2 + (1 + 0) / 2) / 2);
  });
  it('Gini: equal exposure 0, all on one item (n−1)/n', () => {
    expect(gini([2, 2, 2, 2])).toBeCloseTo(0);
    expect(gini([0, 0, 0, 5])).toBeCloseTo(3 / 4);
    expect(giniExposure([Int32Array.from([0]), Int32Array.from([0])], 4)).toBeCloseTo(3 / 4);
  });
  it('Gini lies in [0, 1) for non-negative values', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 50 }), (xs) => {
        const g = gini(xs);
        expect(g).toBeGreaterThanOrEqual(-1e-12);
        expect(g).toBeLessThan(1);
      }),
    );
  });
  it('intra-list diversity: same features 0, disjoint features 1', () => {
    const vecs = oneHotVectors([['drama'], ['drama'], ['comedy'], undefined]);
    expect(intraListDiversity([0, 1], vecs)).toBeCloseTo(0);
    expect(intraListDiversity([0, 2], vecs)).toBeCloseTo(1);
    expect(intraListDiversity([0, 1, 2], vecs)).toBeCloseTo(2 / 3);
    expect(intraListDiversity([0, 3], vecs)).toBeUndefined();
    expect(meanIntraListDiversity([[0, 1], [0, 2], [3]], vecs)).toBeCloseTo(0.5);
  });
});
