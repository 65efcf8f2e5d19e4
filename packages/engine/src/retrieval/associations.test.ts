import { describe, expect, it } from 'vitest';
import { memoryCatalog } from '../pipeline/catalogView.ts';
import type { CatalogItem } from '../pipeline/types.ts';
import { buildAssociationIndex, retrieveAssociated, type BasketEvent } from './associations.ts';
import type { RetrievalQuery } from './types.ts';

const item = (id: string): CatalogItem => ({ id, index: -1, properties: {}, available: true });

function query(ids: string[]): RetrievalQuery {
  return { inputs: { catalog: memoryCatalog(ids.map(item)), context: { now: 0 } }, indexes: {}, historyIds: [], seedIds: [], segments: [], isExcluded: () => false, categoryProperty: 'category' };
}

describe('association index', () => {
  // planted: every order with "pasta" also has "sauce"; "milk" is in every other order (frequent, unspecific)
  const events: BasketEvent[] = [];
  for (let o = 0; o < 40; o++) {
    if (o % 4 === 0) events.push({ orderId: `o${o}`, itemId: 'pasta', type: 'purchase' }, { orderId: `o${o}`, itemId: 'sauce', type: 'purchase' });
    if (o % 2 === 0) events.push({ orderId: `o${o}`, itemId: 'milk', type: 'purchase' });
    events.push({ orderId: `o${o}`, itemId: `x${o % 7}`, type: 'purchase' });
    events.push({ orderId: `o${o}`, itemId: 'viewed-only', type: 'view' });
  }
  const index = buildAssociationIndex(events, { minSupport: 2 });

  it('computes support, confidence and lift from baskets of the chosen event types', () => {
    expect(index.baskets).toBe(40);
    const sauce = index.rules.pasta.find((a) => a[0] === 'sauce')!;
    expect(sauce[1]).toBe(10);
    expect(sauce[2]).toBe(1);
    expect(sauce[3]).toBeCloseTo(4);
    expect(index.itemBaskets['viewed-only']).toBeUndefined();
  });

  it('ranks the specific partner above the frequent one', () => {
    expect(index.rules.pasta[0][0]).toBe('sauce');
  });

  it('retrieves the planted partner for a seed with a bought-together reason', () => {
    const got = retrieveAssociated(query(['pasta', 'sauce', 'milk']), index, ['pasta'], 5, (s) => `with ${s}`);
    expect(got[0].item.id).toBe('sauce');
    expect(got[0].reason).toMatchObject({ type: 'bought-together', itemIds: ['pasta'] });
  });

  it('drops pairs under the minimum support and is plain JSON', () => {
    const strict = buildAssociationIndex(events, { minSupport: 11 });
    expect(strict.rules.pasta).toBeUndefined();
    expect(JSON.parse(JSON.stringify(index))).toEqual(index);
  });

  it('splits a user\'s events into sessions by time gap when there is no order id', () => {
    const e: BasketEvent[] = [
      { userId: 'u', itemId: 'a', timestamp: 0, type: 'cart' },
      { userId: 'u', itemId: 'b', timestamp: 60_000, type: 'cart' },
      { userId: 'u', itemId: 'c', timestamp: 10 * 3_600_000, type: 'cart' },
    ];
    const idx = buildAssociationIndex(e, { minSupport: 1 });
    expect(idx.baskets).toBe(2);
    expect(idx.rules.a.map((x) => x[0])).toEqual(['b']);
  });
});
