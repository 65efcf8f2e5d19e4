import { describe, expect, it } from 'vitest';
import { IdMap } from '@attune/engine';
import { SqliteStore } from '../adapters/sqlite/sqliteStore.ts';
import { CatalogCache } from './catalogCache.ts';

async function storeWith(ids: string[]): Promise<SqliteStore> {
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  await store.putItems(ids.map((id, k) => ({ id, properties: { category: `c${k % 2}` }, available: id !== 'off', createdAt: k, updatedAt: k })));
  return store;
}

describe('CatalogCache', () => {
  it('lines catalogue items up with the model indices and serves model-only items bare', async () => {
    const cache = new CatalogCache(await storeWith(['a', 'b', 'off', 'new']));
    await cache.refresh();
    const view = cache.view(new IdMap(['b', 'a', 'only-in-events', 'off']));
    expect(view.modelSize).toBe(4);
    expect(view.byIndex(0)?.id).toBe('b');
    expect(view.byId('a')?.index).toBe(1);
    expect(view.byId('only-in-events')).toMatchObject({ index: 2, available: true });
    expect(view.byId('off')?.available).toBe(false);
    // in the catalogue but unknown to the model: listed with index -1
    expect(view.byId('new')?.index).toBe(-1);
    expect([...view.all()].map((i) => i.id).sort()).toEqual(['a', 'b', 'new', 'off', 'only-in-events']);
  });

  it('memoizes the view until the catalogue or the model changes', async () => {
    const store = await storeWith(['a', 'b']);
    const cache = new CatalogCache(store);
    await cache.refresh();
    const map = new IdMap(['a', 'b']);
    const v1 = cache.view(map);
    expect(cache.view(map)).toBe(v1);
    await store.putItems([{ id: 'c', properties: {}, available: true, createdAt: 5, updatedAt: 5 }]);
    await cache.changed(['c']);
    const v2 = cache.view(map);
    expect(v2).not.toBe(v1);
    expect(v2.byId('c')).toBeDefined();
    expect(cache.view(new IdMap(['a']))).not.toBe(v2);
  });

  it('never resurrects a deleted item as a bare model item', async () => {
    const store = await storeWith(['a', 'b']);
    const cache = new CatalogCache(store);
    await cache.refresh();
    await store.deleteItem('b');
    await cache.changed(['b']);
    const view = cache.view(new IdMap(['a', 'b']));
    expect(view.byId('b')).toBeUndefined();
    expect(view.byIndex(1)).toBeUndefined();
  });

  it('keeps the newest available items as the new-arrivals index', async () => {
    const cache = new CatalogCache(await storeWith(['a', 'b', 'off', 'd']));
    await cache.refresh();
    const index = cache.newArrivals();
    expect(JSON.stringify(index)).toContain('"d"');
    expect(JSON.stringify(index)).not.toContain('"off"');
  });
});
