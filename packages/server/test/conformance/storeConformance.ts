import { describe, expect, it } from 'vitest';
import type { ItemRecord, NewEvent, ShownList, Store, StoredEvent } from '../../src/ports/store.ts';

/**
 * The behaviour every Store adapter must have. An adapter's test calls this with a factory
 * returning a fresh, EMPTY, init()ed store; `reopen` (when the adapter is durable) closes it
 * and opens the same data again.
 */
export interface ConformanceFactory {
  name: string;
  create(): Promise<Store>;
  reopen?(store: Store): Promise<Store>;
}

const T0 = Date.UTC(2026, 0, 1);

function item(id: string, props: ItemRecord['properties'] = {}, at = T0): ItemRecord {
  return { id, properties: props, available: true, createdAt: at, updatedAt: at };
}

function ev(userId: string, itemId: string, i: number, extra: Partial<NewEvent> = {}): NewEvent {
  return { type: 'view', userId, itemId, timestamp: T0 + i * 1000, ...extra };
}

async function collect(it: AsyncIterable<StoredEvent[]>): Promise<StoredEvent[]> {
  const out: StoredEvent[] = [];
  for await (const page of it) out.push(...page);
  return out;
}

export function storeConformance(factory: ConformanceFactory): void {
  const withStore = (fn: (store: Store) => Promise<void>) => async () => {
    const store = await factory.create();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };

  describe(`Store conformance: ${factory.name}`, () => {
    it(
      'starts empty and init is idempotent',
      withStore(async (s) => {
        await s.init();
        expect(await s.countItems()).toBe(0);
        expect(await s.countEvents()).toBe(0);
        expect(await s.getItemSchema()).toBeUndefined();
      }),
    );

    it(
      'item schema round-trips',
      withStore(async (s) => {
        const schema = { properties: { price: { type: 'number' as const }, emb: { type: 'vector' as const, dimensions: 3 } } };
        await s.putItemSchema(schema);
        expect(await s.getItemSchema()).toEqual(schema);
      }),
    );

    it(
      'upserts items, reads them back exactly, deletes them',
      withStore(async (s) => {
        const a = item('a', { title: 'A', price: 9.5, tags: ['x', 'y'], emb: [0.25, -1], sale: false, gone: null });
        await s.putItems([a, item('b')]);
        expect(await s.getItem('a')).toEqual(a);
        const a2 = { ...a, properties: { title: 'A2' }, available: false, updatedAt: T0 + 5 };
        await s.putItems([a2]);
        expect(await s.getItem('a')).toEqual(a2);
        expect(await s.countItems()).toBe(2);
        expect((await s.getItems(['b', 'missing', 'a'])).map((i) => i.id).sort()).toEqual(['a', 'b']);
        expect(await s.deleteItem('a')).toBe(true);
        expect(await s.deleteItem('a')).toBe(false);
        expect(await s.getItem('a')).toBeUndefined();
        expect(await s.countItems()).toBe(1);
      }),
    );

    it(
      'cursor paging over items is complete, ordered and without repeats, also across writes',
      withStore(async (s) => {
        const ids = Array.from({ length: 53 }, (_, i) => `item-${String(i).padStart(3, '0')}`);
        await s.putItems(ids.map((id) => item(id)));
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await s.listItems(cursor === undefined ? { limit: 10 } : { limit: 10, cursor });
          expect(page.items.length).toBeLessThanOrEqual(10);
          seen.push(...page.items.map((i) => i.id));
          cursor = page.nextCursor;
          // an item upserted mid-scan (before the cursor) must not make the scan repeat or skip
          if (pages++ === 1) await s.putItems([item('item-000', { touched: true })]);
        } while (cursor);
        expect(seen).toEqual([...ids].sort());
        expect(pages).toBe(6);
        const exact = await s.listItems({ limit: 53 });
        expect(exact.items).toHaveLength(53);
        expect(exact.nextCursor).toBeUndefined();
      }),
    );

    it(
      'users: upsert, list in pages, delete erases their events too',
      withStore(async (s) => {
        await s.putUser({ id: 'u1', attributes: { age: 30, segs: ['a'] }, preferences: { likedCategories: ['shoes'] }, createdAt: T0, updatedAt: T0 });
        await s.putUser({ id: 'u2', attributes: {}, preferences: {}, createdAt: T0, updatedAt: T0 });
        expect(await s.getUser('u1')).toEqual({ id: 'u1', attributes: { age: 30, segs: ['a'] }, preferences: { likedCategories: ['shoes'] }, createdAt: T0, updatedAt: T0 });
        const p1 = await s.listUsers({ limit: 1 });
        const p2 = await s.listUsers({ limit: 1, cursor: p1.nextCursor! });
        expect([...p1.items, ...p2.items].map((u) => u.id)).toEqual(['u1', 'u2']);
        expect(p2.nextCursor).toBeUndefined();
        await s.appendEvents([ev('u1', 'a', 1), ev('u1', 'b', 2), ev('u2', 'a', 3)]);
        expect(await s.deleteUser('u1')).toBe(true);
        expect(await s.getUser('u1')).toBeUndefined();
        expect(await s.userEvents('u1')).toEqual([]);
        expect(await s.countEvents()).toBe(1);
        expect(await s.deleteUser('u1')).toBe(false);
      }),
    );

    it(
      'appends events with increasing seq; an eventId stores once (idempotent retry)',
      withStore(async (s) => {
        const first = await s.appendEvents([ev('u', 'a', 1, { eventId: 'e1' }), ev('u', 'b', 2), ev('u', 'c', 3, { eventId: 'e3' })]);
        expect(first.accepted).toEqual([0, 1, 2]);
        expect(first.duplicates).toEqual([]);
        const retry = await s.appendEvents([ev('u', 'a', 1, { eventId: 'e1' }), ev('u', 'd', 4, { eventId: 'e4' }), ev('u', 'd', 4, { eventId: 'e4' })]);
        expect(retry.accepted).toEqual([1]);
        expect(retry.duplicates).toEqual([0, 2]);
        expect(await s.countEvents()).toBe(4);
        const all = await collect(s.scanEvents({ batchSize: 3 }));
        expect(all.map((e) => e.itemId)).toEqual(['a', 'b', 'c', 'd']);
        for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBeGreaterThan(all[i - 1]!.seq);
        expect(new Set(all.map((e) => e.eventId)).size).toBe(4);
        const after = await collect(s.scanEvents({ afterSeq: all[1]!.seq }));
        expect(after.map((e) => e.itemId)).toEqual(['c', 'd']);
      }),
    );

    it(
      'concurrent appends: each is durable when it resolves, a shared eventId is stored once',
      withStore(async (s) => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => s.appendEvents([ev(`u${i % 5}`, `i${i}`, i, { eventId: i % 10 === 0 ? 'shared' : `c${i}` })])),
        );
        expect(results.reduce((n, r) => n + r.accepted.length, 0)).toBe(46);
        expect(results.reduce((n, r) => n + r.duplicates.length, 0)).toBe(4);
        expect(results[0]!.accepted).toEqual([0]);
        expect(await s.countEvents()).toBe(46);
        const seqs = results.flatMap((r) => r.stored ?? []).map((e) => e.seq);
        if (seqs.length) expect(new Set(seqs).size).toBe(46);
      }),
    );

    it(
      'keeps every event field',
      withStore(async (s) => {
        const full: NewEvent = {
          eventId: 'full',
          type: 'purchase',
          userId: 'u',
          itemId: 'a',
          value: 19.99,
          timestamp: T0 + 7,
          sessionId: 's1',
          recommendationId: 'r1',
          context: { device: 'mobile', country: 'DE' },
          properties: { coupon: 'X', lines: [1, 2] },
        };
        await s.appendEvents([full, { type: 'hide-category', userId: 'u', timestamp: T0 + 8 }]);
        const [a, b] = await s.userEvents('u');
        expect(a).toMatchObject(full);
        expect(typeof a!.receivedAt).toBe('number');
        expect(b).toMatchObject({ type: 'hide-category', userId: 'u', timestamp: T0 + 8 });
        expect(b!.itemId).toBeUndefined();
        if (s.getEventByRecommendation) expect((await s.getEventByRecommendation('r1')).map((e) => e.eventId)).toEqual(['full']);
      }),
    );

    it(
      'userEvents: oldest first, the newest `limit`, `since` filters by timestamp',
      withStore(async (s) => {
        await s.appendEvents(Array.from({ length: 10 }, (_, i) => ev('u', `i${i}`, i)));
        await s.appendEvents([ev('other', 'x', 1)]);
        expect((await s.userEvents('u', { limit: 3 })).map((e) => e.itemId)).toEqual(['i7', 'i8', 'i9']);
        expect((await s.userEvents('u', { since: T0 + 8000 })).map((e) => e.itemId)).toEqual(['i8', 'i9']);
        expect(await s.userEvents('nobody')).toEqual([]);
      }),
    );

    it(
      'merge moves every event and shown list, keeps the target record, deletes the source',
      withStore(async (s) => {
        await s.putUser({ id: 'known', attributes: { tier: 'gold' }, preferences: {}, createdAt: T0, updatedAt: T0 });
        await s.putUser({ id: 'anon', attributes: { tier: 'none' }, preferences: {}, createdAt: T0, updatedAt: T0 });
        await s.appendEvents([ev('anon', 'a', 1), ev('anon', 'b', 2), ev('known', 'c', 3)]);
        await s.logShownLists([{ recommendationId: 'ra', userId: 'anon', surface: 'user', timestamp: T0, itemIds: ['a'], firstId: 'ra', page: 1 }]);
        expect(await s.mergeUsers('anon', 'known')).toEqual({ movedEvents: 2 });
        // shown lists follow the user, so an event citing 'ra' is attributed to the known user
        expect((await s.getShownList('ra'))?.userId).toBe('known');
        expect(await s.getUser('anon')).toBeUndefined();
        expect(await s.userEvents('anon')).toEqual([]);
        expect((await s.getUser('known'))!.attributes).toEqual({ tier: 'gold' });
        expect((await s.userEvents('known')).map((e) => e.itemId).sort()).toEqual(['a', 'b', 'c']);
        // a target without a record is created
        await s.appendEvents([ev('anon2', 'z', 9)]);
        expect(await s.mergeUsers('anon2', 'fresh')).toEqual({ movedEvents: 1 });
        expect(await s.getUser('fresh')).toBeDefined();
        expect((await s.userEvents('fresh')).map((e) => e.itemId)).toEqual(['z']);
      }),
    );

    it(
      'model versions and artifacts round-trip bytes exactly',
      withStore(async (s) => {
        const bytes = new Uint8Array(70_000);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) & 255;
        const meta = { model: 'als', params: { factors: 32 }, status: 'candidate' as const, createdAt: T0, metrics: { 'ndcg@10': 0.31 }, trainingEvents: 1234, durationMs: 56.5 };
        const v1 = await s.saveModelVersion(meta, bytes);
        const v2 = await s.saveModelVersion({ ...meta, model: 'ease', note: 'second' }, new Uint8Array([1, 2, 3]));
        expect(v2).toBeGreaterThan(v1);
        const back = await s.getModelArtifact(v1);
        expect(back).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(back!).equals(Buffer.from(bytes))).toBe(true);
        expect(Array.from((await s.getModelArtifact(v2))!)).toEqual([1, 2, 3]);
        expect(await s.getModelArtifact(9999)).toBeUndefined();
        await s.updateModelVersion(v1, { status: 'serving', note: 'promoted' });
        const list = await s.listModelVersions();
        expect(list.map((m) => m.version)).toEqual([v2, v1]);
        expect(list[1]).toEqual({ ...meta, version: v1, status: 'serving', note: 'promoted' });
        expect(list[0]!.note).toBe('second');
        expect(await s.listModelVersions({ limit: 1 })).toHaveLength(1);
      }),
    );

    it(
      'documents: put, get, list by collection, delete',
      withStore(async (s) => {
        await s.putDocument('scenarios', 'home', { rules: ['a'], n: 1 });
        await s.putDocument('scenarios', 'cart', { rules: [] });
        await s.putDocument('settings', 'home', 'other collection');
        await s.putDocument('scenarios', 'home', { rules: ['b'], n: 2 });
        expect(await s.getDocument('scenarios', 'home')).toEqual({ rules: ['b'], n: 2 });
        expect((await s.listDocuments('scenarios')).map((d) => d.key)).toEqual(['cart', 'home']);
        expect(await s.deleteDocument('scenarios', 'home')).toBe(true);
        expect(await s.deleteDocument('scenarios', 'home')).toBe(false);
        expect(await s.getDocument('scenarios', 'home')).toBeUndefined();
        expect(await s.getDocument('settings', 'home')).toBe('other collection');
      }),
    );

    it(
      'recommendation log: a shown list round-trips, a repeated id keeps its first row, newest first without requests',
      withStore(async (s) => {
        const first: ShownList = { recommendationId: 'r1', userId: 'u1', surface: 'user', modelVersion: 3, timestamp: T0, itemIds: ['a', 'b'], request: { opts: { n: 2, knobs: { diversity: 0.5 } } }, firstId: 'r1', page: 1 };
        const anon: ShownList = { recommendationId: 'r2', surface: 'popular', timestamp: T0 + 2, itemIds: [], firstId: 'r2', page: 1 };
        const next: ShownList = { recommendationId: 'r3', userId: 'u1', surface: 'user', timestamp: T0, itemIds: ['c'], request: { shownBefore: ['a', 'b'] }, firstId: 'r1', page: 2 };
        await s.logShownLists([first, anon]);
        await s.logShownLists([]);
        await s.logShownLists([{ ...first, itemIds: ['z'] }, next]);
        expect(await s.getShownList('r1')).toEqual(first);
        expect(await s.getShownList('r2')).toEqual(anon);
        expect(await s.getShownList('r3')).toEqual(next);
        expect(await s.getShownList('nope')).toBeUndefined();
        const newest = await s.newestShownLists(10);
        expect(newest.map((l) => l.recommendationId)).toEqual(['r2', expect.any(String), expect.any(String)]);
        expect(new Set(newest.slice(1).map((l) => l.recommendationId))).toEqual(new Set(['r1', 'r3']));
        expect(newest.every((l) => l.request === undefined)).toBe(true);
        expect(newest[0]).toEqual(anon);
        expect(await s.newestShownLists(1)).toEqual([anon]);
        expect(await s.newestShownLists(0)).toEqual([]);
      }),
    );

    it(
      'recommendation log: a scan returns every list once, with its request, in pages',
      withStore(async (s) => {
        const lists: ShownList[] = Array.from({ length: 2_345 }, (_, k) => ({ recommendationId: `id-${String(k).padStart(5, '0')}`, ...(k % 3 ? { userId: `u${k % 7}` } : {}), surface: 'user', timestamp: T0 + k, itemIds: [`i${k}`], request: { k }, firstId: `id-${String(k).padStart(5, '0')}`, page: 1 }));
        for (let k = 0; k < lists.length; k += 500) await s.logShownLists(lists.slice(k, k + 500));
        const pages: ShownList[][] = [];
        for await (const page of s.scanShownLists({ batchSize: 1_000 })) pages.push(page);
        expect(pages.map((p) => p.length)).toEqual([1_000, 1_000, 345]);
        const byId = new Map(pages.flat().map((l) => [l.recommendationId, l]));
        expect(byId.size).toBe(lists.length);
        for (const l of lists) expect(byId.get(l.recommendationId)).toEqual(l);
        const none: ShownList[][] = [];
        await s.deleteShownLists({ before: T0 + 10_000 });
        for await (const page of s.scanShownLists()) none.push(page);
        expect(none).toEqual([]);
      }),
    );

    it(
      'recommendation log: deletes by user (erasure) and by age (retention)',
      withStore(async (s) => {
        const list = (id: string, userId: string | undefined, at: number): ShownList => ({ recommendationId: id, ...(userId ? { userId } : {}), surface: 'user', timestamp: at, itemIds: ['a'], firstId: id, page: 1 });
        await s.logShownLists([list('a1', 'alice', T0), list('a2', 'alice', T0 + 10), list('b1', 'bob', T0 + 5), list('x', undefined, T0 + 1)]);
        expect(await s.deleteShownLists({ userId: 'alice' })).toBe(2);
        expect(await s.getShownList('a1')).toBeUndefined();
        expect(await s.getShownList('b1')).toBeDefined();
        expect(await s.deleteShownLists({ before: T0 + 5 })).toBe(1);
        expect((await s.newestShownLists(10)).map((l) => l.recommendationId)).toEqual(['b1']);
        // more than one adapter step's worth (adapters may delete in bounded steps); b1 goes too
        const many = Array.from({ length: 4_500 }, (_, k) => list(`m${k}`, k % 2 ? 'carol' : undefined, T0 + 100 + k));
        await s.logShownLists(many);
        expect(await s.deleteShownLists({ before: T0 + 100 + 4_100 })).toBe(4_101);
        expect((await s.newestShownLists(10_000)).length).toBe(400);
        expect(await s.deleteShownLists({ userId: 'carol' })).toBe(200);
        expect((await s.newestShownLists(10_000)).map((l) => l.userId)).toEqual(new Array(200).fill(undefined));
      }),
    );

    if (factory.reopen) {
      const reopen = factory.reopen;
      it('reopening keeps everything', async () => {
        let s = await factory.create();
        try {
          await s.putItemSchema({ properties: { price: { type: 'number' } } });
          await s.putItems([item('a', { price: 1 })]);
          await s.putUser({ id: 'u', attributes: { x: 1 }, preferences: {}, createdAt: T0, updatedAt: T0 });
          await s.appendEvents([ev('u', 'a', 1, { eventId: 'keep' })]);
          const v = await s.saveModelVersion(
            { model: 'pop', params: {}, status: 'serving', createdAt: T0, metrics: {}, trainingEvents: 1, durationMs: 1 },
            new Uint8Array([9, 8, 7]),
          );
          await s.putDocument('c', 'k', { v: 1 });
          await s.logShownLists([{ recommendationId: 'r', userId: 'u', surface: 'user', timestamp: T0, itemIds: ['a'], request: { n: 1 }, firstId: 'r', page: 1 }]);
          s = await reopen(s);
          expect((await s.getShownList('r'))?.request).toEqual({ n: 1 });
          expect(await s.getItemSchema()).toEqual({ properties: { price: { type: 'number' } } });
          expect(await s.getItem('a')).toEqual(item('a', { price: 1 }));
          expect((await s.getUser('u'))!.attributes).toEqual({ x: 1 });
          expect((await s.userEvents('u')).map((e) => e.eventId)).toEqual(['keep']);
          expect((await s.appendEvents([ev('u', 'a', 1, { eventId: 'keep' })])).duplicates).toEqual([0]);
          expect(Array.from((await s.getModelArtifact(v))!)).toEqual([9, 8, 7]);
          expect(await s.getDocument('c', 'k')).toEqual({ v: 1 });
        } finally {
          await s.close();
        }
      });
    }
  });
}
