import { describe, expect, it } from 'vitest';
import { Blend } from './blend.ts';
import { Ease } from './ease.ts';
import { ItemKnn } from './itemKnn.ts';
import { modelContract, planted } from './neighbours/contractTests.ts';
import { createModel, deserializeModel, getFactory } from './registry.ts';

const resolver = { create: createModel, deserialize: deserializeModel };
const children = [
  { model: 'ease', params: { lambda: 50 }, weight: 1 },
  { model: 'item-knn', params: { k: 30 }, weight: 0.5 },
  { model: 'rp3beta', params: { beta: 0.3 }, weight: 0.3 },
];
const withRecency = children.map((c) => ({ ...c, params: { ...c.params, recencyHalfLife: 5 } }));

describe('blend', () => {
  for (const fusion of ['zscore', 'minmax', 'rrf'] as const) {
    describe(fusion, () => modelContract({ create: () => createModel('blend', { models: children, fusion }), deserialize: deserializeModel }));
  }
  // A folded-in history carries no time order, so recency-weighted children cannot reproduce a
  // fitted user from it through the blend (each child holds its own weighted view of the fit).
  describe('recency-weighted children', () =>
    modelContract({ create: () => createModel('blend', { models: withRecency }), deserialize: deserializeModel, foldIn: 'skip' }));

  it('with a single child keeps that child’s ranking (normalization is monotone)', () => {
    const fx = planted();
    const ease = new Ease({ lambda: 50 });
    ease.fit(fx.matrix);
    for (const fusion of ['zscore', 'minmax', 'rrf'] as const) {
      const b = Blend.ofFitted(resolver, fx.matrix, [{ model: ease, weight: 2 }], fusion);
      for (const u of [0, 5, 99]) expect(Array.from(b.recommend({ user: u }, 10).items)).toEqual(Array.from(ease.recommend({ user: u }, 10).items));
    }
  });

  it('a blend built over fitted children equals one fitted from params', async () => {
    const fx = planted();
    const knn = new ItemKnn({ k: 20 });
    knn.fit(fx.matrix);
    const ease = new Ease({ lambda: 80 });
    ease.fit(fx.matrix);
    const a = Blend.ofFitted(resolver, fx.matrix, [{ model: knn, weight: 1 }, { model: ease, weight: 3 }]);
    const b = createModel('blend', a.params as Record<string, unknown>);
    await b.fit(fx.matrix);
    for (const u of [1, 2, 3]) expect(Array.from(b.recommend({ user: u }, 10).items)).toEqual(Array.from(a.recommend({ user: u }, 10).items));
  });

  it('its defaults and every tuning candidate are valid child lists', () => {
    expect(createModel('blend').params.models).toHaveLength(2);
    for (const models of getFactory('blend').grid?.models ?? []) expect(createModel('blend', { models }).name).toBe('blend');
  });

  it('rejects empty, nested or malformed child lists', () => {
    expect(() => createModel('blend', { models: [] })).toThrow(/models/);
    expect(() => createModel('blend', { models: [{ model: 'blend' }] })).toThrow(/nest/);
    expect(() => createModel('blend', { models: [{ model: 'ease', weight: 'x' }] })).toThrow(/weight/);
    expect(() => createModel('blend', { models: [{ model: 'nope' }] })).toThrow(/unknown model/);
  });
});
