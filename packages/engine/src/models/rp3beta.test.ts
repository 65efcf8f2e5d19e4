import { describe, expect, it } from 'vitest';
import { modelContract } from './neighbours/contractTests.ts';
import { Rp3Beta, rp3betaFactory } from './rp3beta.ts';

describe('rp3beta', () => {
  modelContract({ create: () => new Rp3Beta({ alpha: 0.75, beta: 0.3, k: 50 }), deserialize: rp3betaFactory.deserialize });
  describe('normalized, recency-weighted', () =>
    modelContract({ create: () => new Rp3Beta({ alpha: 1, beta: 0.5, normalize: true, recencyHalfLife: 5 }), deserialize: rp3betaFactory.deserialize }));

  it('penalizes popular targets more as beta grows', () => {
    // item 0 is liked by everyone, item 1 and 2 by one user each; all co-occur with item 3
    const matrix = {
      rows: 3,
      cols: 4,
      indptr: Int32Array.from([0, 3, 5, 7]),
      indices: Int32Array.from([0, 1, 3, 0, 3, 0, 2]),
      data: new Float32Array(7).fill(1),
    };
    const rank = (beta: number): number[] => {
      const m = new Rp3Beta({ beta });
      m.fit(matrix);
      return Array.from(m.similarItems(3, 3).items);
    };
    expect(rank(0)[0]).toBe(0);
    expect(rank(1)[0]).toBe(1);
  });
});
