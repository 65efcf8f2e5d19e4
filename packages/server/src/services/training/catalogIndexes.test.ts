import { describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../ports/store.ts';
import { contentOptionsOf, fitCatalogContextModel } from './catalogIndexes.ts';

const item = (id: string, properties: ItemRecord['properties']): ItemRecord => ({ id, properties, available: true, createdAt: 0, updatedAt: 0 });

describe('catalogue content options', () => {
  it('wordy strings are text, single tokens categorical; sets, numbers and the first vector property by kind', () => {
    const items = [
      item('a', { title: 'Dark roast beans', sku: 'A-1', category: 'coffee', tags: ['hot'], price: 5, emb: [1, 0], emb2: [0, 1] }),
      item('b', { title: 'Tea', sku: 'B-2', category: 'tea', tags: [], price: 3, emb: [0, 1, 0] }),
    ];
    const opts = contentOptionsOf({ items });
    expect(opts.text).toEqual(['title']);
    expect(opts.categorical).toEqual(['category', 'sku', 'tags']);
    expect(opts.numeric).toEqual(['price']);
    // b's embedding has another length than the first one seen: left out
    expect(opts.vectors).toEqual({ a: [1, 0] });
  });

  it('the schema decides declared kinds', () => {
    const opts = contentOptionsOf({ schema: { properties: { code: { type: 'string' }, rating: { type: 'number' } } }, items: [item('a', { code: 'x y z', rating: 4 })] });
    expect(opts.text).toEqual(['code']);
    expect(opts.numeric).toEqual(['rating']);
  });
});

describe('catalogue context model', () => {
  it('learns only from events with a context, in their timezone, backing off to categories', () => {
    const morningNY = Date.UTC(2026, 0, 5, 13); // 8 am in New York
    const events = [
      ...Array.from({ length: 30 }, (_, k) => ({ itemId: 'coffee', type: 'purchase', timestamp: morningNY + k * 1000, context: { timezone: 'America/New_York' } })),
      ...Array.from({ length: 30 }, (_, k) => ({ itemId: 'wine', type: 'purchase', timestamp: morningNY + 11 * 3_600_000 + k * 1000, context: { timezone: 'America/New_York' } })),
    ];
    const model = fitCatalogContextModel(events, { items: [item('coffee', { category: 'drinks' })] }, {});
    expect(model?.items['daypart=morning']?.coffee).toBeGreaterThan(0);
    expect(model?.items['daypart=evening']?.wine).toBeGreaterThan(0);
    expect(model?.itemGroups.coffee).toEqual(['drinks']);
    expect(fitCatalogContextModel([], undefined, {})).toBeUndefined();
  });
});
