import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { listLifetime } from './listLifetime.ts';

describe('listLifetime', () => {
  it('stays within [¾ window, window] for any draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_600_000 }), fc.double({ min: -1, max: 2, noNaN: true }), (w, d) => {
        const t = listLifetime(w, d);
        return t >= 0.75 * w && t <= w;
      }),
    );
  });

  it('spreads the expiries of lists computed at the same instant', () => {
    const lifetimes = Array.from({ length: 1000 }, (_, k) => listLifetime(60_000, k / 1000));
    const spread = Math.max(...lifetimes) - Math.min(...lifetimes);
    expect(spread).toBeGreaterThan(14_000);
    // about evenly: each second of the last quarter of the window takes ~1/15 of the lists
    const inFirstSecond = lifetimes.filter((t) => t < 46_000).length;
    expect(inFirstSecond).toBeLessThan(100);
  });
});
