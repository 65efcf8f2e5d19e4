import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../data/rng.ts';
import { topKJs } from '../kernels/topk.ts';
import { topKFast } from './topScores.ts';

describe('topKFast', () => {
  it('equals the exact heap on large arrays: dense, sparse, tied, with -Infinity', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.constantFrom('dense', 'sparse', 'ties', 'skewed'), fc.integer({ min: 0, max: 1000 }), (k, kind, seed) => {
        const rng = new Rng(seed);
        const n = 40_000;
        const s = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          if (kind === 'dense') s[i] = rng.normal();
          else if (kind === 'sparse') s[i] = rng.next() < 0.002 ? rng.next() : 0;
          else if (kind === 'ties') s[i] = rng.int(3);
          else s[i] = Math.pow(rng.next(), 8);
          if (rng.next() < 0.01) s[i] = -Infinity;
        }
        const a = topKFast(s, k);
        const b = topKJs(s, k);
        expect(Array.from(a.items)).toEqual(Array.from(b.items));
      }),
      { numRuns: 40, seed: 3 },
    );
  });
});
