import { describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../ports/store.ts';
import { contentOptionsOf, fitCatalogContextModel, segmentPopularity } from './catalogIndexes.ts';

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

describe('segment popularity from the events\' context', () => {
  // planted: in DE people buy "bratwurst" most, in US "burger"; one stray country has too few events
  const at = (itemId: string, country: string, type = 'purchase') => ({ itemId, type, timestamp: 0, context: { country, device: 'mobile', timezone: 'Europe/Berlin' } });
  const events = [
    ...Array.from({ length: 6 }, () => at('bratwurst', 'DE')),
    ...Array.from({ length: 2 }, () => at('burger', 'DE')),
    ...Array.from({ length: 5 }, () => at('burger', 'US')),
    at('pretzel', 'US', 'view'),
    at('poutine', 'CA'),
    { itemId: 'no-context', type: 'purchase', timestamp: 0 },
  ];
  const segments = segmentPopularity(events, { purchase: 3, view: 1, ignored: 0 });

  it('ranks each segment\'s own favourites, weighted by type', () => {
    expect(segments['country=DE']).toEqual([['bratwurst', 18], ['burger', 6]]);
    expect(segments['country=US']).toEqual([['burger', 15], ['pretzel', 1]]);
    expect(segments['device=mobile']?.[0]).toEqual(['burger', 21]);
  });

  it('drops segments with too few events, the timezone and events without a context', () => {
    expect(segments['country=CA']).toBeUndefined();
    expect(Object.keys(segments).some((k) => k.startsWith('timezone='))).toBe(false);
    expect(JSON.stringify(segments)).not.toContain('no-context');
  });

  it('keeps the busiest values of a field only', () => {
    const many = Array.from({ length: 50 }, (_, k) => Array.from({ length: 3 + k }, () => ({ itemId: 'x', type: 'view', timestamp: 0, context: { session: `s${k}` } }))).flat();
    const kept = Object.keys(segmentPopularity(many, {}, { maxPerField: 5 }));
    expect(kept.sort()).toEqual(['session=s45', 'session=s46', 'session=s47', 'session=s48', 'session=s49']);
  });
});
