import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import type { AppendResult, NewEvent, StoredEvent, Store } from '../../src/ports/store.ts';
import { storeConformance } from '../conformance/storeConformance.ts';

const dir = mkdtempSync(join(tmpdir(), 'attune-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeConformance({
  name: 'SqliteStore (file, WAL; writes and the recommendation log on writer threads)',
  async create() {
    const store = new SqliteStore({ path: join(dir, `db-${n++}.sqlite`) });
    await store.init();
    return store;
  },
  async reopen(store: Store) {
    const path = (store as SqliteStore).path;
    await store.close();
    const again = new SqliteStore({ path });
    await again.init();
    return again;
  },
});

storeConformance({
  name: 'SqliteStore (file, WAL; every write on the calling thread)',
  async create() {
    const store = new SqliteStore({ path: join(dir, `db-${n++}.sqlite`), writer: 'inline' });
    await store.init();
    return store;
  },
});

storeConformance({
  name: 'SqliteStore (:memory:)',
  async create() {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    return store;
  },
});

describe('SqliteStore appends (multi-row inserts of server-named events)', () => {
  for (const writer of ['thread', 'inline'] as const) {
    it(`mixed runs with and without eventIds: every event keeps its own seq and fields, duplicates are reported by index (${writer} writer)`, async () => {
      const store = new SqliteStore({ path: join(dir, `db-${n++}.sqlite`), writer });
      await store.init();
      try {
        await store.appendEvents([{ eventId: 'e-14', type: 'view', userId: 'u', itemId: 'before', timestamp: 1 }]);
        // every 7th event carries an eventId (e-14 is already stored); runs of 6, and one of 70
        const events: NewEvent[] = Array.from({ length: 170 }, (_, k) => ({
          ...(k % 7 === 0 && k < 100 ? { eventId: `e-${k}` } : {}),
          type: k % 2 ? 'view' : 'cart',
          userId: `u${k % 5}`,
          itemId: `i${k}`,
          timestamp: 1000 + k,
          ...(k === 3 ? { value: 2.5, context: { device: 'tv' } } : {}),
        }));
        const r = await store.appendEvents(events);
        expect(r.duplicates).toEqual([14]);
        expect(r.accepted).toEqual(events.map((_, k) => k).filter((k) => k !== 14));
        expect(r.stored!.map((e) => e.seq)).toEqual(r.accepted.map((_, j) => 2 + j));
        expect(r.stored!.map((e) => e.itemId)).toEqual(r.accepted.map((k) => `i${k}`));
        const all: StoredEvent[] = [];
        for await (const page of store.scanEvents()) all.push(...page);
        expect(all.slice(1)).toEqual(r.stored);
        expect(all[1 + 3]).toMatchObject({ itemId: 'i3', value: 2.5, context: { device: 'tv' }, type: 'view', userId: 'u3' });
        // concurrent single events share commits; each answer is about its own event
        const singles = await Promise.all(Array.from({ length: 40 }, (_, k) => store.appendEvents([{ type: 'view', userId: 's', itemId: `s${k}`, timestamp: k }])));
        expect(singles.map((s) => s.stored![0]!.itemId)).toEqual(singles.map((_, k) => `s${k}`));
        const seqs = singles.map((s) => s.stored![0]!.seq);
        expect(new Set(seqs).size).toBe(40);
        for (const s of singles) expect((await store.userEvents('s')).find((e) => e.seq === s.stored![0]!.seq)?.itemId).toBe(s.stored![0]!.itemId);
        // singles around a batch (the thread store writes small appends itself only while its
        // writer thread is idle) and a user write: every event stored once, with its own seq
        const single = (k: number): Promise<AppendResult> => store.appendEvents([{ type: 'view', userId: 'm', itemId: `m${k}`, timestamp: k }]);
        const mixed = await Promise.all([
          ...[0, 1, 2].map(single),
          store.appendEvents(Array.from({ length: 300 }, (_, k) => ({ type: 'view', userId: 'm', itemId: `b${k}`, timestamp: k }))),
          ...[3, 4].map(single),
          store.putUser({ id: 'm', attributes: {}, preferences: {}, createdAt: 1, updatedAt: 1 }).then(() => single(5)),
          ...[6, 7].map(single),
        ]);
        const mixedSeqs = mixed.flatMap((r) => (r ? r.stored!.map((e) => e.seq) : []));
        expect(mixedSeqs).toHaveLength(308);
        expect(new Set(mixedSeqs).size).toBe(308);
        expect((await store.userEvents('m')).map((e) => e.itemId).sort()).toEqual([...Array.from({ length: 8 }, (_, k) => `m${k}`), ...Array.from({ length: 300 }, (_, k) => `b${k}`)].sort());
        expect(await store.getUser('m')).toMatchObject({ id: 'm' });
      } finally {
        await store.close();
      }
    });
  }
});

describe('SqliteStore writer thread', () => {
  it('appends requested in one turn, large ones sent to the thread at once and small ones at the turn\'s end or written here, are stored in the order requested', async () => {
    const store = new SqliteStore({ path: join(dir, `db-${n++}.sqlite`) });
    await store.init();
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 100, max: 260 })), { minLength: 1, maxLength: 8 }), async (sizes) => {
          const r = run++;
          const requests = sizes.map((size, k) => Array.from({ length: size }, (_, j) => ({ type: 'view', userId: `r${r}`, itemId: `${k}:${j}`, timestamp: j })));
          const results = await Promise.all(requests.map((events) => store.appendEvents(events)));
          const seqs = results.flatMap((res) => res.stored!.map((e) => e.seq));
          expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
          expect(results.flatMap((res) => res.stored!.map((e) => e.itemId))).toEqual(requests.flat().map((e) => e.itemId));
          const stored = await store.userEvents(`r${r}`);
          expect(stored.map((e) => e.itemId)).toEqual(requests.flat().map((e) => e.itemId));
        }),
        { numRuns: 25 },
      );
    } finally {
      await store.close();
    }
  });

  it('a writer thread that is gone makes the store not ready and its writes fail, instead of hanging', async () => {
    const store = new SqliteStore({ path: join(dir, `db-${n++}.sqlite`) });
    await store.init();
    try {
      expect(store.isOpen()).toBe(true);
      await store.appendEvents(Array.from({ length: 200 }, (_, k) => ({ type: 'view', userId: 'u', itemId: `i${k}`, timestamp: k })));
      // the thread's Worker, reached past the private field: only a fault ends it before close
      const worker = (store as unknown as { thread: { worker: { terminate(): Promise<number> } } }).thread.worker;
      await worker.terminate();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(store.isOpen()).toBe(false);
      await expect(store.appendEvents(Array.from({ length: 200 }, (_, k) => ({ type: 'view', userId: 'u', itemId: `j${k}`, timestamp: k })))).rejects.toThrow(/writer thread/);
      await expect(store.appendEvents([{ type: 'view', userId: 'u', itemId: 'one', timestamp: 1 }])).rejects.toThrow(/writer thread/);
      await expect(store.putDocument('c', 'k', 1)).rejects.toThrow(/writer thread/);
      expect(await store.countEvents()).toBe(200);
    } finally {
      await store.close();
    }
  });
});
