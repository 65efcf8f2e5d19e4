import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { buildContentIndex, contentScores, contentSimilarity, IdMap, type ContentIndex } from '@attune/engine';
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

  describe('content index', () => {
    const shop = (k: number) => ({ id: `p${k}`, properties: { category: `c${k % 3}`, title: `${['red', 'blue', 'green'][k % 3]} cotton shirt model${k}`, price: 10 + k }, available: true, createdAt: k, updatedAt: k });
    const top = (index: ContentIndex | undefined, seed: string, n = 3): string[] => contentScores(index as ContentIndex, new Map([[seed, 1]]), n).map((x) => x[0]);

    async function shopCache(n = 30): Promise<{ store: SqliteStore; cache: CatalogCache }> {
      const store = new SqliteStore({ path: ':memory:' });
      await store.init();
      await store.putItems(Array.from({ length: n }, (_, k) => shop(k)));
      const cache = new CatalogCache(store);
      await cache.refresh();
      return { store, cache };
    }

    it('is built at refresh and patched on change: a new item is found at once, a deleted one is gone', async () => {
      const { store, cache } = await shopCache();
      expect(cache.contentIndex()?.ids).toHaveLength(30);
      // planted: the new item copies p4's words and category, and adds words nobody else has
      await store.putItems([{ id: 'twin', properties: { category: 'c1', title: 'blue cotton shirt model4 limited edition', price: 14 }, available: true, createdAt: 100, updatedAt: 100 }]);
      await cache.changed(['twin']);
      const after = cache.contentIndex();
      expect(top(after, 'p4', 1)).toEqual(['twin']);
      expect(top(after, 'twin', 1)).toEqual(['p4']);
      await store.deleteItem('twin');
      await cache.changed(['twin']);
      expect(top(cache.contentIndex(), 'p4', 10)).not.toContain('twin');
      expect(cache.contentIndex()?.ids).not.toContain('twin');
      // back again: found again (its old ordinal is reused)
      await store.putItems([{ id: 'twin', properties: { category: 'c1', title: 'blue cotton shirt model4 limited edition', price: 14 }, available: true, createdAt: 101, updatedAt: 101 }]);
      await cache.changed(['twin']);
      expect(top(cache.contentIndex(), 'p4', 1)).toEqual(['twin']);
      expect(cache.contentIndex()?.ids).toHaveLength(31);
    });

    it('a replaced item moves to its new content', async () => {
      const { store, cache } = await shopCache();
      // p5 was green (c2); it becomes p0's red twin
      await store.putItems([{ ...shop(5), properties: { category: 'c0', title: 'red cotton shirt model0', price: 10 } }]);
      await cache.changed(['p5']);
      const index = cache.contentIndex() as ContentIndex;
      expect(index.ids.filter((id) => id === 'p5')).toHaveLength(1);
      expect(index.ids).toHaveLength(30);
      expect(top(index, 'p5', 1)).toEqual(['p0']);
      expect(top(index, 'p0', 1)).toEqual(['p5']);
      expect(contentSimilarity(index, 'p5', 'p0')).toBeGreaterThan(2 * contentSimilarity(index, 'p5', 'p2'));
    });

    it('a patched index holds exactly the catalogue and finds the neighbours a rebuild finds (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.record({ k: fc.integer({ min: 0, max: 59 }), del: fc.boolean() }), { minLength: 1, maxLength: 30 }), async (ops) => {
          const { store, cache } = await shopCache(40);
          for (const { k, del } of ops) {
            if (del) await store.deleteItem(`p${k}`);
            else await store.putItems([shop(k)]);
            await cache.changed([`p${k}`]);
          }
          const patched = cache.contentIndex() as ContentIndex;
          const live = (await store.listItems({ limit: 1000 })).items;
          expect(patched.ids.filter((id) => id !== '').sort()).toEqual(live.map((i) => i.id).sort());
          // postings and item features agree both ways, weights included; tombstones are on no list
          patched.postings.forEach((post, f) => post.forEach((o, k) => {
            expect(patched.ids[o]).not.toBe('');
            const at = (patched.itemFeatures[o] as number[]).indexOf(f);
            expect(at).toBeGreaterThanOrEqual(0);
            expect(patched.itemWeights[o]?.[at]).toBe(patched.postingWeights[f]?.[k]);
          }));
          patched.itemFeatures.forEach((fs, o) => fs.forEach((f) => expect(patched.postings[f]).toContain(o)));
          const rebuilt = buildContentIndex(live.map((it) => ({ ...it, index: -1 })), { categorical: ['category'], text: ['title'], numeric: ['price'] });
          // weights differ a little (a patch keeps the old document frequencies), the neighbourhood does not:
          // the best neighbour shares the item's category (and colour) in both
          const catOf = (id: string) => live.find((i) => i.id === id)?.properties.category;
          for (const it of live) {
            expect(top(patched, it.id, 1).map(catOf)).toEqual([it.properties.category]);
            expect(top(rebuilt, it.id, 1).map(catOf)).toEqual([it.properties.category]);
          }
        }),
        { numRuns: 15, seed: 5 },
      );
    });

    it('a schema change rebuilds the index once the burst is over (debounced)', async () => {
      vi.useFakeTimers();
      try {
        const { store, cache } = await shopCache();
        const patched = cache.contentIndex();
        await store.putItemSchema({ properties: { title: { type: 'string' }, category: { type: 'string' } } });
        await cache.schemaChanged();
        expect(cache.contentIndex()).toBe(patched);
        await vi.runAllTimersAsync();
        const rebuilt = cache.contentIndex();
        expect(rebuilt).not.toBe(patched);
        expect(rebuilt?.ids).toHaveLength(30);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
