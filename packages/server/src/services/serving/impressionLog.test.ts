import { describe, expect, it } from 'vitest';
import { MemoryOnlineState } from '../../adapters/memory/onlineState.ts';
import { SqliteStore } from '../../adapters/sqlite/sqliteStore.ts';
import type { ShownList } from '../../ports/store.ts';
import { ImpressionLog, LEGACY_IMPRESSION_COLLECTION, migrateLegacyImpressions } from './impressionLog.ts';

const list = (id: string, timestamp = 1_000, userId = 'u'): ShownList => ({ recommendationId: id, userId, surface: 'user', timestamp, itemIds: [`${id}-a`, `${id}-b`], request: { replay: { surface: 'user' } }, firstId: id, page: 1 });

async function openStore(): Promise<SqliteStore> {
  const store = new SqliteStore({ path: ':memory:' });
  await store.init();
  return store;
}

describe('ImpressionLog', () => {
  it('finds a list before it is written, writes every list in chunks, and the online state gets the impression', async () => {
    const store = await openStore();
    const online = new MemoryOnlineState();
    const writes: number[] = [];
    const logShownLists = store.logShownLists.bind(store);
    store.logShownLists = async (lists) => {
      writes.push(lists.length);
      return logShownLists(lists);
    };
    const log = new ImpressionLog(store, online, { flushIntervalMs: 60_000, maxBatch: 10_000, chunk: 3, retentionMs: 0 });
    for (let k = 0; k < 7; k++) log.record(list(`r${k}`));
    expect(await store.getShownList('r0')).toBeUndefined();
    expect(await log.find('r0')).toEqual(list('r0'));
    expect(await online.getImpression('r6')).toEqual({ recommendationId: 'r6', userId: 'u', surface: 'user', timestamp: 1_000, itemIds: ['r6-a', 'r6-b'] });
    await log.flush();
    expect(writes).toEqual([3, 3, 1]);
    expect((await store.newestShownLists(100)).length).toBe(7);
    expect(await log.find('r6')).toEqual(list('r6'));
    await store.close();
  });

  it('a full batch flushes without waiting for the timer', async () => {
    const store = await openStore();
    const log = new ImpressionLog(store, new MemoryOnlineState(), { flushIntervalMs: 60_000, maxBatch: 2, retentionMs: 0 });
    log.record(list('a'));
    log.record(list('b'));
    await log.flush();
    expect(await store.getShownList('a')).toBeDefined();
    expect(await store.getShownList('b')).toBeDefined();
    await store.close();
  });

  it('a stalled store bounds what waits: lists past maxPending are not logged durably, and that is reported', async () => {
    const store = await openStore();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const logShownLists = store.logShownLists.bind(store);
    store.logShownLists = async (lists) => {
      await gate;
      return logShownLists(lists);
    };
    const errors: string[] = [];
    const online = new MemoryOnlineState();
    const log = new ImpressionLog(store, online, { flushIntervalMs: 60_000, maxBatch: 10_000, maxPending: 3, retentionMs: 0, onError: (e) => errors.push(String(e)) });
    for (let k = 0; k < 5; k++) log.record(list(`s${k}`));
    // the online state still gets every list (rotation, attribution of the next events)
    expect(await online.getImpression('s4')).toBeDefined();
    const done = log.flush();
    // handed to the store, not yet written: found among the lists in flight; a dropped one is not
    expect(await store.getShownList('s1')).toBeUndefined();
    expect(await log.find('s1')).toEqual(list('s1'));
    expect(await log.find('s3')).toBeUndefined();
    release();
    await done;
    expect(await log.find('s1')).toEqual(list('s1'));
    expect(errors).toEqual([expect.stringContaining('2 shown lists not logged')]);
    expect((await store.newestShownLists(10)).map((l) => l.recommendationId).sort()).toEqual(['s0', 's1', 's2']);
    // once the backlog is written, lists are logged again
    log.record(list('later'));
    await log.flush();
    expect(await store.getShownList('later')).toBeDefined();
    await store.close();
  });

  it('deletes lists older than the retention when it flushes', async () => {
    const store = await openStore();
    await store.logShownLists([list('old', 1_000), list('recent', 9_000)]);
    const log = new ImpressionLog(store, new MemoryOnlineState(), { retentionMs: 5_000, clock: () => 10_000 });
    log.record(list('now', 10_000));
    await log.flush();
    expect(await store.getShownList('old')).toBeUndefined();
    expect(await store.getShownList('recent')).toBeDefined();
    expect(await store.getShownList('now')).toBeDefined();
    await store.close();
  });

  it('migrates legacy documents into the table (not pageable) and deletes them; malformed entries are skipped', async () => {
    const store = await openStore();
    await store.putDocument(LEGACY_IMPRESSION_COLLECTION, 'k1', [
      { recommendationId: 'x1', userId: 'u1', itemIds: ['a'], timestamp: 5, surface: 'similar', modelVersion: 2 },
      { recommendationId: 'x2', itemIds: ['b', 'c'], timestamp: 6, surface: 'popular' },
      { itemIds: ['no id'] },
    ]);
    await store.putDocument(LEGACY_IMPRESSION_COLLECTION, 'k2', 'not a batch');
    expect(await migrateLegacyImpressions(store)).toBe(2);
    expect(await store.getShownList('x1')).toEqual({ recommendationId: 'x1', userId: 'u1', itemIds: ['a'], timestamp: 5, surface: 'similar', modelVersion: 2, firstId: 'x1', page: 1 });
    expect(await store.getShownList('x2')).toEqual({ recommendationId: 'x2', itemIds: ['b', 'c'], timestamp: 6, surface: 'popular', firstId: 'x2', page: 1 });
    expect(await store.listDocuments(LEGACY_IMPRESSION_COLLECTION)).toEqual([]);
    expect(await migrateLegacyImpressions(store)).toBe(0);
    await store.close();
  });
});
