import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { newRecommendationId } from './recommendationIds.ts';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRecommendationId', () => {
  it('is a UUIDv7 carrying the time, ordered by time, and unique', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 2 }), (ms) => {
        const a = newRecommendationId(ms);
        const b = newRecommendationId(ms + 1);
        expect(a).toMatch(UUID_V7);
        expect(parseInt(a.slice(0, 8) + a.slice(9, 13), 16)).toBe(ms);
        expect(a < b).toBe(true);
      }),
    );
    const ids = new Set(Array.from({ length: 10_000 }, () => newRecommendationId(1_800_000_000_000)));
    expect(ids.size).toBe(10_000);
  });

  it('fills every random digit from the entropy: each position takes all 16 digits, the variant all four', () => {
    const ids = Array.from({ length: 4000 }, () => newRecommendationId(1_800_000_000_000));
    for (const k of [15, 16, 17, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35]) expect(new Set(ids.map((id) => id[k])).size).toBe(16);
    expect([...new Set(ids.map((id) => id[19]))].sort()).toEqual(['8', '9', 'a', 'b']);
    // the time digits and the dashes are the same in all
    expect(new Set(ids.map((id) => id.slice(0, 15) + id[18] + id[23])).size).toBe(1);
  });
});
