import { describe, expect, it } from 'vitest';
import type { Interaction } from '../data/events.ts';
import { MostPopular } from '../models/popularity.ts';
import { buildEvalData } from './dataset.ts';
import { evaluateRecommender } from './evaluate.ts';

const ev = (userId: string, itemId: string, timestamp = 0): Interaction => ({ userId, itemId, timestamp });

describe('evaluateRecommender', () => {
  // popularity in train: item 10 by 3 users, item 2 by 2, item 3 by 1; items 5 and 20 only in test
  const train = [ev('a', '10'), ev('b', '10'), ev('c', '10'), ev('a', '2'), ev('b', '2'), ev('c', '3')];
  const test = [ev('a', '3'), ev('a', '5'), ev('c', '2'), ev('b', '20')];
  const data = buildEvalData(train, test);

  it('lays the catalogue out in id order and counts test-only items', () => {
    expect(data.items.ids()).toEqual(['2', '3', '5', '10', '20']);
    expect(data.train.cols).toBe(5);
    expect(data.test.users.length).toBe(3);
  });

  it('matches a hand computation (popular, k = 2)', () => {
    const model = new MostPopular();
    model.fit(data.train);
    const r = evaluateRecommender(model, data, { k: 2 });
    // a (history 10, 2): ranks 3, then 5 vs 20 tie at 0 → 5 (smaller id). test {3, 5}: 2 hits
    // b (history 10, 2): ranks 3, 5. test {20}: 0 hits
    // c (history 10, 3): ranks 2, 5. test {2}: hit at rank 1
    expect(r.users).toBe(3);
    expect(r.precision).toBeCloseTo((2 / 2 + 0 + 1 / 2) / 3);
    expect(r.recall).toBeCloseTo((1 + 0 + 1) / 3);
    expect(r.hitRate).toBeCloseTo(2 / 3);
    expect(r.ndcg).toBeCloseTo((1 + 0 + 1) / 3);
    expect(r.map).toBeCloseTo((1 + 0 + 1) / 3);
    expect(r.mrr).toBeCloseTo((1 + 0 + 1) / 3);
    expect(r.coverage).toBeCloseTo(3 / 5); // {3, 5, 2}
    expect(r.giniExposure).toBeGreaterThan(0);
  });

  it('records entry timestamps for time-aware models', () => {
    const d = buildEvalData([ev('a', '1', 5), ev('a', '1', 9), ev('b', '2', 7)], []);
    expect(Array.from(d.timestamps ?? [])).toEqual([9, 7]);
    expect(d.now).toBe(9);
  });
});
