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
});
