import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryOnlineState } from './onlineState.ts';

const ev = (userId: string, itemId: string, timestamp: number, seq?: number) => ({ userId, itemId, type: 'view', timestamp, ...(seq === undefined ? {} : { seq }) });

describe('MemoryOnlineState', () => {
  it('keeps each user history in time order, capped per user', async () => {
    const s = new MemoryOnlineState({ maxHistory: 3 });
    await s.recordEvents([ev('u', 'a', 10), ev('u', 'b', 30), ev('u', 'c', 20), ev('u', 'd', 40)]);
    expect((await s.getUser('u')).history.map((e) => e.itemId)).toEqual(['c', 'b', 'd']);
    expect(s.eventCount).toBe(3);
  });

  it('keeps only the history fields of a stored event, never the event object itself', async () => {
    const s = new MemoryOnlineState();
    // what onlineEventsOf passes: the stored events themselves, with context and properties
    const stored = { eventId: 'e1', seq: 7, type: 'purchase', userId: 'u', itemId: 'a', value: 9.5, recommendationId: 'r', timestamp: 5, receivedAt: 6, context: { device: 'tv' }, properties: { big: 'x'.repeat(100) } };
    const plain = { eventId: 'e2', seq: 8, type: 'view', userId: 'u', itemId: 'b', timestamp: 6, receivedAt: 7, sessionId: 's' };
    await s.recordEvents([stored, plain]);
    const [a, b] = (await s.getUser('u')).history;
    expect(a).toStrictEqual({ itemId: 'a', type: 'purchase', timestamp: 5, value: 9.5, recommendationId: 'r', seq: 7 });
    expect(b).toStrictEqual({ itemId: 'b', type: 'view', timestamp: 6, seq: 8 });
    expect(a).not.toBe(stored);
    await s.recordEvents([{ userId: 'w', itemId: 'c', type: 'view', timestamp: 1 }]);
    expect((await s.getUser('w')).history).toStrictEqual([{ itemId: 'c', type: 'view', timestamp: 1 }]);
  });

  it('keeps, per user, the newest `maxHistory` events in time order (ties in arrival order), whatever the batching', async () => {
    const event = fc.record({ user: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 0, max: 30 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(event, { maxLength: 25 }), { maxLength: 6 }), fc.integer({ min: 1, max: 6 }), async (batches, cap) => {
        const s = new MemoryOnlineState({ maxHistory: cap });
        let n = 0;
        const all: Array<{ user: string; t: number; id: string }> = [];
        for (const batch of batches) {
          const tagged = batch.map((e) => ({ ...e, id: `i${n++}` }));
          all.push(...tagged);
          await s.recordEvents(tagged.map((e) => ev(e.user, e.id, e.t)));
        }
        let held = 0;
        for (const user of ['a', 'b', 'c']) {
          // stable sort by time = insertion after equal timestamps
          const expected = all.filter((e) => e.user === user).sort((x, y) => x.t - y.t).slice(-cap).map((e) => e.id);
          expect((await s.getUser(user)).history.map((e) => e.itemId)).toEqual(expected);
          held += expected.length;
        }
        expect(s.eventCount).toBe(held);
      }),
    );
  });

  it('bumps the revision on every change and reports revision 0 for strangers', async () => {
    const s = new MemoryOnlineState();
    expect((await s.getUser('x')).revision).toBe(0);
    await s.recordEvents([ev('x', 'a', 1)]);
    const r1 = (await s.getUser('x')).revision;
    await s.recordEvents([ev('x', 'b', 2)]);
    expect((await s.getUser('x')).revision).toBeGreaterThan(r1);
  });

  it('forgets the least recently active users past the global budget', async () => {
    const s = new MemoryOnlineState({ maxEvents: 4 });
    await s.recordEvents([ev('old', 'a', 1), ev('old', 'b', 2), ev('mid', 'c', 3), ev('mid', 'd', 4)]);
    await s.recordEvents([ev('old', 'e', 5)]);
    // 'old' was touched last, so 'mid' goes
    expect((await s.getUser('mid')).history).toHaveLength(0);
    expect((await s.getUser('old')).history).toHaveLength(3);
    expect(s.eventCount).toBe(3);
  });

  it('trims events a model already covers, keeping those without a seq', async () => {
    const s = new MemoryOnlineState();
    await s.recordEvents([ev('u', 'a', 1, 5), ev('u', 'b', 2, 9), ev('u', 'c', 3)]);
    await s.trimBefore(5);
    expect((await s.getUser('u')).history.map((e) => e.itemId)).toEqual(['b', 'c']);
    expect(s.eventCount).toBe(2);
  });

  it('merges an anonymous user into a known one and deletes users', async () => {
    const s = new MemoryOnlineState();
    await s.recordEvents([ev('anon', 'a', 2), ev('known', 'b', 1)]);
    await s.mergeUsers('anon', 'known');
    expect((await s.getUser('known')).history.map((e) => e.itemId)).toEqual(['b', 'a']);
    expect((await s.getUser('anon')).history).toHaveLength(0);
    await s.deleteUser('known');
    expect((await s.getUser('known')).history).toHaveLength(0);
    expect(s.eventCount).toBe(0);
  });

  it('ranks trending items by decayed activity and records impressions for attribution', async () => {
    const s = new MemoryOnlineState({ trendingHalfLifeMs: 1000 });
    await s.recordEvents([ev('u', 'old', 0), ev('u', 'old', 0), ev('u', 'new', 5000)]);
    expect((await s.trending(2, 5000)).map((t) => t.itemId)).toEqual(['new', 'old']);
    await s.recordImpressions([{ recommendationId: 'r1', userId: 'u', itemIds: ['x', 'y'], timestamp: 1, surface: 'user' }]);
    expect((await s.getImpression('r1'))?.itemIds).toEqual(['x', 'y']);
    expect((await s.getUser('u')).impressions.map((i) => i.itemId)).toEqual(['x', 'y']);
  });

  it('keeps the newest maxAttribution impressions for attribution, the oldest dropped first', async () => {
    const s = new MemoryOnlineState({ maxAttribution: 1500 });
    // past the cap many times over, in batches of varying size, so the id ring is compacted too
    let id = 0;
    for (let batch = 1; id < 5000; batch = (batch % 7) + 1) {
      await s.recordImpressions(Array.from({ length: batch }, () => ({ recommendationId: `r${id++}`, itemIds: ['x'], timestamp: id, surface: 'popular' })));
    }
    const kept: number[] = [];
    for (let k = 0; k < id; k++) if (await s.getImpression(`r${k}`)) kept.push(k);
    expect(kept).toEqual(Array.from({ length: 1500 }, (_, k) => id - 1500 + k));
  });
});
