import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Impression } from '../../ports/onlineState.ts';
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

  it('keeps at most maxUsers users, visitors only shown lists included, forgetting the least recently active first', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.record({ user: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), shown: fc.boolean() }), { maxLength: 40 }),
        async (maxUsers, ops) => {
          const s = new MemoryOnlineState({ maxUsers });
          // model: users by recency; an event makes its user the newest, a first impression adds the user as newest
          let order: string[] = [];
          let t = 0;
          for (const o of ops) {
            t++;
            if (o.shown) {
              await s.recordImpressions([{ recommendationId: `r${t}`, userId: o.user, itemIds: ['x'], timestamp: t, surface: 'user' }]);
              if (!order.includes(o.user)) order.push(o.user);
            } else {
              await s.recordEvents([ev(o.user, 'i', t)]);
              order = [...order.filter((u) => u !== o.user), o.user];
            }
            order = order.slice(-maxUsers);
            expect(s.userCount).toBe(order.length);
          }
          for (const u of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) {
            const st = await s.getUser(u);
            expect(st.history.length + st.impressions.length > 0).toBe(order.includes(u));
          }
        },
      ),
    );
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

  it('keeps impressions per user as appending arrays would, and the newest maxAttribution lists for attribution, through merges and deletions (an erasure removes the lists of the user)', async () => {
    type Op =
      | { kind: 'show'; rec: string; user: string | undefined; items: string[]; t: number; version: number | undefined }
      | { kind: 'merge'; from: string; into: string }
      | { kind: 'delete'; user: string };
    const user = fc.constantFrom('u', 'v', 'w');
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 8, arbitrary: fc.record({ kind: fc.constant('show' as const), rec: fc.integer({ min: 0, max: 15 }).map((k) => `r${k}`), user: fc.option(user, { nil: undefined }), items: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 6 }), t: fc.integer({ min: 0, max: 40 }), version: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('merge' as const), from: user, into: user }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), user }) },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 6 }), fc.array(op, { maxLength: 40 }), async (maxImpressions, maxAttribution, ops) => {
        const s = new MemoryOnlineState({ maxImpressions, maxAttribution });
        const shown = new Map<string, Array<{ itemId: string; timestamp: number }>>();
        // every list recorded, as attribution should answer for it: its user follows merges, an erasure removes it
        const recorded: Array<{ imp: Impression; erased: boolean }> = [];
        for (const o of ops) {
          if (o.kind === 'show') {
            const imp: Impression = { recommendationId: o.rec, itemIds: o.items, timestamp: o.t, surface: 'user', ...(o.user === undefined ? {} : { userId: o.user }), ...(o.version === undefined ? {} : { modelVersion: o.version }) };
            await s.recordImpressions([imp]);
            recorded.push({ imp: { ...imp }, erased: false });
            if (o.user !== undefined) shown.set(o.user, [...(shown.get(o.user) ?? []), ...o.items.map((itemId) => ({ itemId, timestamp: o.t }))].slice(-maxImpressions));
          } else if (o.kind === 'merge') {
            await s.mergeUsers(o.from, o.into);
            if (o.from !== o.into) for (const r of recorded) if (r.imp.userId === o.from) r.imp.userId = o.into;
            if (o.from !== o.into && shown.has(o.from)) {
              const merged = [...(shown.get(o.into) ?? []), ...(shown.get(o.from) ?? [])].sort((x, y) => x.timestamp - y.timestamp);
              shown.set(o.into, merged.slice(-maxImpressions));
              shown.delete(o.from);
            }
          } else {
            await s.deleteUser(o.user);
            shown.delete(o.user);
            for (const r of recorded) if (r.imp.userId === o.user) r.erased = true;
          }
          for (const u of ['u', 'v', 'w']) expect((await s.getUser(u)).impressions).toEqual(shown.get(u) ?? []);
        }
        // the newest recording of an id among the last maxAttribution lists recorded, unless erased
        const kept = recorded.slice(-maxAttribution).filter((r) => !r.erased);
        for (let k = 0; k <= 15; k++) expect(await s.getImpression(`r${k}`)).toStrictEqual(kept.findLast((r) => r.imp.recommendationId === `r${k}`)?.imp);
      }),
    );
  });

  it('scores trending items as the sum of 2^-(age / halfLife) over their events, whatever the batching and late arrivals', async () => {
    // times mostly in order, some late by up to 50 ms: an event more than ~1,074 half-lives older
    // than the first one seen underflows to nothing, as it did before
    const event = fc.record({ item: fc.constantFrom('a', 'b', 'c', 'd'), step: fc.constantFrom(0, 0, 1, 3, 400), late: fc.constantFrom(0, 0, 0, 7, 50) });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(event, { maxLength: 12 }), { maxLength: 6 }), fc.constantFrom(1, 7, 1000, 86_400_000), fc.integer({ min: -60, max: 4000 }), async (steps, halfLife, after) => {
        let clock = 0;
        const batches = steps.map((b) => b.map((e) => ({ item: e.item, t: (clock += e.step) - e.late })));
        // read around or after the newest event (an item cooled by more than ~1,074 half-lives
        // below the hottest is 0, as its true score then is too, or nearly)
        const now = clock + after;
        // halfLife 1 ms spans thousands of half-lives: the reference time moves (2^exponent would overflow)
        const s = new MemoryOnlineState({ trendingHalfLifeMs: halfLife });
        const expected = new Map<string, number>();
        for (const batch of batches) {
          await s.recordEvents(batch.map((e, k) => ev(`user${k % 3}`, e.item, e.t)));
          for (const e of batch) expected.set(e.item, (expected.get(e.item) ?? 0) + Math.pow(2, (e.t - now) / halfLife));
        }
        const got = await s.trending(10, now);
        expect(got.map((x) => x.itemId).sort()).toEqual([...expected.keys()].sort());
        for (const { itemId, score } of got) {
          const want = expected.get(itemId) as number;
          if (Number.isFinite(want)) expect(Math.abs(score - want)).toBeLessThanOrEqual(1e-11 * want + 1e-300);
        }
        for (let k = 1; k < got.length; k++) expect(got[k - 1]!.score).toBeGreaterThanOrEqual(got[k]!.score);
      }),
    );
  });
});
