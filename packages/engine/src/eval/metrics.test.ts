import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { averagePrecisionAtK, hitRateAtK, idealDcg, ndcgAtK, precisionAtK, recallAtK, reciprocalRankAtK, userRankingMetrics } from './metrics.ts';

describe('ranking metrics, hand-computed', () => {
  // ranked: 5 items, relevant {2, 9, 7}; hits at ranks 2 and 4; item 7 never ranked
  const ranked = [1, 2, 3, 9, 4];
  const rel = new Set([2, 9, 7]);
  it('precision, recall, hit rate', () => {
    expect(precisionAtK(ranked, rel, 5)).toBeCloseTo(2 / 5);
    expect(precisionAtK(ranked, rel, 10)).toBeCloseTo(2 / 10); // short list still divides by k
    expect(recallAtK(ranked, rel, 5)).toBeCloseTo(2 / 3);
    expect(hitRateAtK(ranked, rel, 1)).toBe(0);
    expect(hitRateAtK(ranked, rel, 2)).toBe(1);
  });
  it('NDCG uses the ideal DCG over min(|T|, k)', () => {
    const dcg = 1 / Math.log2(3) + 1 / Math.log2(5);
    const ideal = 1 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(ndcgAtK(ranked, rel, 5)).toBeCloseTo(dcg / ideal, 10);
    // k = 2: ideal over min(3, 2) = 2 hits
    expect(ndcgAtK(ranked, rel, 2)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)), 10);
  });
  it('MAP divides by min(|T|, k); MRR is 1 / first hit rank', () => {
    expect(averagePrecisionAtK(ranked, rel, 5)).toBeCloseTo((1 / 2 + 2 / 4) / 3, 10);
    expect(averagePrecisionAtK(ranked, rel, 2)).toBeCloseTo(1 / 2 / 2, 10);
    expect(reciprocalRankAtK(ranked, rel, 5)).toBeCloseTo(1 / 2);
    expect(reciprocalRankAtK(ranked, rel, 1)).toBe(0);
  });
  it('the single-pass version agrees with the separate functions', () => {
    const m = userRankingMetrics(ranked, rel, 5);
    expect(m.precision).toBeCloseTo(precisionAtK(ranked, rel, 5));
    expect(m.recall).toBeCloseTo(recallAtK(ranked, rel, 5));
    expect(m.ndcg).toBeCloseTo(ndcgAtK(ranked, rel, 5));
    expect(m.map).toBeCloseTo(averagePrecisionAtK(ranked, rel, 5));
    expect(m.mrr).toBeCloseTo(reciprocalRankAtK(ranked, rel, 5));
    expect(m.hitRate).toBe(1);
  });
  it('no relevant items gives zeros, not NaN', () => {
    const m = userRankingMetrics([1, 2], new Set(), 10);
    expect(Object.values(m).every((v) => v === 0)).toBe(true);
  });
  it('idealDcg', () => {
    expect(idealDcg(0)).toBe(0);
    expect(idealDcg(2)).toBeCloseTo(1 + 1 / Math.log2(3));
  });
});

// a ranked list of distinct items and a relevant set over a small universe
const arbCase = fc
  .record({
    ranked: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 25 }),
    relevant: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 15 }),
    k: fc.integer({ min: 1, max: 20 }),
  })
  .map(({ ranked, relevant, k }) => ({ ranked, rel: new Set(relevant), k }));

describe('ranking metric properties', () => {
  it('every metric lies in [0, 1]', () => {
    fc.assert(
      fc.property(arbCase, ({ ranked, rel, k }) => {
        for (const v of Object.values(userRankingMetrics(ranked, rel, k))) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1 + 1e-12);
        }
      }),
    );
  });
  it('precision · k = hits in the top k', () => {
    fc.assert(
      fc.property(arbCase, ({ ranked, rel, k }) => {
        const hits = ranked.slice(0, k).filter((i) => rel.has(i)).length;
        expect(Math.round(precisionAtK(ranked, rel, k) * k)).toBe(hits);
      }),
    );
  });
  it('a perfect ranking (relevant items first) has NDCG = MAP = MRR = 1', () => {
    fc.assert(
      fc.property(arbCase, ({ ranked, rel, k }) => {
        const perfect = [...rel, ...ranked.filter((i) => !rel.has(i))];
        const m = userRankingMetrics(perfect, rel, k);
        expect(m.ndcg).toBeCloseTo(1, 10);
        expect(m.map).toBeCloseTo(1, 10);
        expect(m.mrr).toBe(1);
        expect(m.hitRate).toBe(1);
      }),
    );
  });
  it('moving a hit up never lowers NDCG', () => {
    fc.assert(
      fc.property(arbCase, fc.nat(), ({ ranked, rel, k }, pick) => {
        if (ranked.length < 2) return;
        const p = 1 + (pick % (ranked.length - 1));
        if (!rel.has(ranked[p] as number) || rel.has(ranked[p - 1] as number)) return;
        const swapped = ranked.slice();
        [swapped[p - 1], swapped[p]] = [swapped[p] as number, swapped[p - 1] as number];
        expect(ndcgAtK(swapped, rel, k)).toBeGreaterThanOrEqual(ndcgAtK(ranked, rel, k) - 1e-12);
      }),
    );
  });
});
