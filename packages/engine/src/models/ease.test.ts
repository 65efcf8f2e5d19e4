import { describe, expect, it } from 'vitest';
import { Ease, easeFactory, MemoryBudgetError } from './ease.ts';
import { modelContract, planted } from './neighbours/contractTests.ts';

describe('ease', () => {
  modelContract({ create: () => new Ease({ lambda: 50 }), deserialize: easeFactory.deserialize });
  describe('recency-weighted, sparse items left out', () =>
    modelContract({ create: () => new Ease({ lambda: 50, recencyHalfLife: 5, minItemUsers: 3 }), deserialize: easeFactory.deserialize }));

  it('has a zero diagonal and solves the closed form B = I − P·diag(1/diag P)', () => {
    // two users, three items: with λ the Gram matrix is SPD and small enough to check by hand
    const matrix = { rows: 2, cols: 3, indptr: Int32Array.from([0, 2, 4]), indices: Int32Array.from([0, 1, 1, 2]), data: new Float32Array(4).fill(1) };
    const m = new Ease({ lambda: 1 });
    m.fit(matrix);
    // XᵀX + I = [[2,1,0],[1,3,1],[0,1,2]]; its inverse is [[5,-2,1],[-2,4,-2],[1,-2,5]] / 8
    const p = [
      [5, -2, 1],
      [-2, 4, -2],
      [1, -2, 5],
    ];
    for (let i = 0; i < 3; i++) {
      const s = m.similarItems(i, 3);
      const byItem = new Map(Array.from(s.items, (j, k) => [j, s.scores[k] as number]));
      expect(byItem.has(i)).toBe(false);
      for (let j = 0; j < 3; j++) if (j !== i) expect(byItem.get(j)).toBeCloseTo(-(p[i]![j]! / p[j]![j]!), 5);
    }
  });

  it('refuses to fit beyond the memory budget with a clear error', () => {
    const fx = planted();
    const m = new Ease({ memoryBudgetBytes: 1000 });
    let error: unknown;
    try {
      m.fit(fx.matrix);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MemoryBudgetError);
    expect((error as MemoryBudgetError).code).toBe('memory_budget_exceeded');
    expect((error as Error).message).toMatch(/200 items/);
    expect((error as Error).message).toMatch(/budget/);
  });
});
