import { afterEach, describe, expect, it } from 'vitest';
import { generateSynthetic } from '@attune/engine';
import { MemoryBus } from '../../adapters/memory/memoryBus.ts';
import { SqliteStore } from '../../adapters/sqlite/sqliteStore.ts';
import { defaultConfig } from '../../config/schema.ts';
import type { NewEvent } from '../../ports/store.ts';
import { onlineEventsOf } from '../onlineEvents.ts';
import { createServingServices, type ServingServices } from './servingServices.ts';

/**
 * A model swap with every user's list cached: the real trainer (inline), SQLite store, memory
 * online state and a clock the test moves. Lists of the previous model run out their own drawn
 * lifetimes (¾ to all of the 60 s window), so recomputations spread over the window; a user's
 * own event still replaces their list at once.
 */
const WINDOW = 60_000;
const T0 = 1_800_000_000_000;

let now = T0;
let store: SqliteStore | undefined;
let serving: ServingServices | undefined;

afterEach(async () => {
  await serving?.stop();
  await store?.close();
  serving = undefined;
  store = undefined;
});

async function setUp(): Promise<{ serving: ServingServices; users: string[]; ingest(events: NewEvent[]): Promise<void>; train(): Promise<number> }> {
  now = T0;
  const data = generateSynthetic({ users: 120, items: 80, clusters: 4, interactionsPerUser: 12, seed: 11 });
  store = new SqliteStore({ path: ':memory:' });
  await store.init();
  await store.putItems(data.items.map((it) => ({ id: it.id, properties: {}, available: true, createdAt: T0 - 86_400_000, updatedAt: T0 - 86_400_000 })));
  const config = defaultConfig({ training: { model: 'item-knn', afterNewEvents: 1_000_000_000, intervalSeconds: 86_400 } });
  const s = createServingServices({ config, store, bus: new MemoryBus(), clock: () => now, listCacheMs: WINDOW });
  serving = s;
  await s.start();
  const st = store;
  // what the ingest path does: store the events, then put them in the online state
  const ingest = async (events: NewEvent[]): Promise<void> => {
    const r = await st.appendEvents(events);
    await s.online.recordEvents(onlineEventsOf(r.stored ?? []));
  };
  const train = async (): Promise<number> => {
    s.trainer.trigger('test');
    await s.trainer.whenIdle();
    return s.registry.serving?.version ?? 0;
  };
  await ingest(data.interactions.map((e) => ({ type: 'view', userId: e.userId, itemId: e.itemId, timestamp: T0 - 86_400_000 + (e.timestamp ?? 0) })));
  return { serving: s, users: [...new Set(data.interactions.map((e) => e.userId))], ingest, train };
}

/** The model version each user's next list names, one request per user. */
async function versions(s: ServingServices, users: readonly string[]): Promise<number[]> {
  const out: number[] = [];
  for (const u of users) out.push((await s.recommender.forUser(u, { n: 10 })).model.version);
  return out;
}

const count = (vs: readonly number[], v: number): number => vs.filter((x) => x === v).length;

describe('a model swap with cached lists', () => {
  it('refreshes the lists of the previous model as each one expires, never all on the next requests', async () => {
    const { serving: s, users, ingest, train } = await setUp();
    expect(await train()).toBe(1);
    // events after the first model: every user has online events the next model will absorb
    // (a swap one version later trims them from the online state)
    now += 1_000;
    await ingest(users.map((userId, k) => ({ type: 'view', userId, itemId: `i${k % 80}`, timestamp: now })));
    expect(count(await versions(s, users), 1)).toBe(users.length);
    expect(await train()).toBe(2);

    // right after the swap every cached list is still served: no burst of recomputations
    expect(count(await versions(s, users), 1)).toBe(users.length);
    now += 0.7 * WINDOW;
    expect(count(await versions(s, users), 1)).toBe(users.length);
    // inside the last quarter of the window the lists expire at their own drawn times
    now = T0 + 1_000 + 0.85 * WINDOW;
    const midway = count(await versions(s, users), 2);
    expect(midway).toBeGreaterThan(0);
    expect(midway).toBeLessThan(users.length);
    now = T0 + 1_000 + WINDOW + 1;
    expect(count(await versions(s, users), 2)).toBe(users.length);
  });

  it("replaces a user's list at once when they send an event after the swap", async () => {
    const { serving: s, users, ingest, train } = await setUp();
    await train();
    const user = users[3] as string;
    const before = await s.recommender.forUser(user, { n: 10 });
    const other = await s.recommender.forUser(users[4] as string, { n: 10 });
    await train();
    const consumed = before.items[0]?.itemId as string;
    await ingest([{ type: 'purchase', userId: user, itemId: consumed, timestamp: now }]);
    const after = await s.recommender.forUser(user, { n: 10 });
    expect(after.model.version).toBe(2);
    expect(after.items.map((i) => i.itemId)).not.toContain(consumed);
    // a user without a new event still gets the list of the model that computed it
    const same = await s.recommender.forUser(users[4] as string, { n: 10 });
    expect(same.model.version).toBe(1);
    expect(same.items).toEqual(other.items);
  });

  it('never serves a cached list past an event that the next model absorbed before the user asked again', async () => {
    const { serving: s, users, ingest, train } = await setUp();
    await train();
    const user = users[5] as string;
    const before = await s.recommender.forUser(user, { n: 10 });
    const consumed = before.items[0]?.itemId as string;
    await ingest([{ type: 'purchase', userId: user, itemId: consumed, timestamp: now }]);
    const heldOnline = async (): Promise<boolean> => (await s.online.getUser(user)).history.some((e) => e.itemId === consumed && e.type === 'purchase');
    // the new model covers the purchase; the online state keeps it while a node may still serve version 1
    expect(await train()).toBe(2);
    expect(await heldOnline()).toBe(true);
    const after = await s.recommender.forUser(user, { n: 10 });
    expect(after.model.version).toBe(2);
    expect(after.items.map((i) => i.itemId)).not.toContain(consumed);
    // one version later the trainer trims it: only the models know of it now
    expect(await train()).toBe(3);
    expect(await heldOnline()).toBe(false);
    // past the cached list's lifetime: computed afresh by version 3, which alone holds the purchase
    now += WINDOW + 1;
    const later = await s.recommender.forUser(user, { n: 10 });
    expect(later.model.version).toBe(3);
    expect(later.items.map((i) => i.itemId)).not.toContain(consumed);
  });

  it('logs each list under the model that computed it', async () => {
    const { serving: s, users, train } = await setUp();
    await train();
    await s.recommender.forUser(users[0] as string, { n: 10 });
    await train();
    const served = await s.recommender.forUser(users[0] as string, { n: 10 });
    expect((await s.impressions.find(served.recommendationId))?.modelVersion).toBe(1);
  });
});
