import { describe, expect, it } from 'vitest';
import type { Impression, OnlineEvent, OnlineState } from '../../src/ports/onlineState.ts';

/**
 * The behaviour every OnlineState adapter must have. `create` returns a fresh, EMPTY state with
 * the given caps; `dispose` (optional) removes what it stored. Bounds that differ by design
 * (the memory adapter's global LRU budget, Redis's idle TTLs) are tested by each adapter's own
 * tests, not here.
 */
export interface OnlineStateLimits {
  maxHistory: number;
  maxImpressions: number;
  trendingHalfLifeMs: number;
}

export interface OnlineStateConformanceFactory {
  name: string;
  create(limits: OnlineStateLimits): Promise<OnlineState>;
  dispose?(state: OnlineState): Promise<void>;
}

const T0 = Date.UTC(2026, 0, 1);
const LIMITS: OnlineStateLimits = { maxHistory: 5, maxImpressions: 4, trendingHalfLifeMs: 1000 };

function ev(userId: string, itemId: string, at: number, extra: Partial<OnlineEvent> = {}): OnlineEvent {
  return { userId, itemId, type: 'view', timestamp: T0 + at, ...extra };
}

function imp(recommendationId: string, userId: string | undefined, itemIds: string[], at: number): Impression {
  return { recommendationId, ...(userId === undefined ? {} : { userId }), itemIds, timestamp: T0 + at, surface: 'user' };
}

const items = async (s: OnlineState, userId: string) => (await s.getUser(userId)).history.map((e) => e.itemId);

export function onlineStateConformance(factory: OnlineStateConformanceFactory): void {
  const withState =
    (fn: (s: OnlineState) => Promise<void>, limits: Partial<OnlineStateLimits> = {}) =>
    async () => {
      const s = await factory.create({ ...LIMITS, ...limits });
      try {
        await fn(s);
      } finally {
        await factory.dispose?.(s);
      }
    };

  describe(`OnlineState conformance: ${factory.name}`, () => {
    it(
      'starts empty: strangers have revision 0, nothing trends, no counters',
      withState(async (s) => {
        expect(await s.getUser('nobody')).toEqual({ history: [], impressions: [], revision: 0 });
        expect(await s.trending(10, T0)).toEqual([]);
        expect(await s.counters()).toEqual({});
        expect(await s.getImpression('nope')).toBeUndefined();
      }),
    );

    it(
      'keeps each history in time order, capped per user, dropping the oldest',
      withState(async (s) => {
        await s.recordEvents([ev('u', 'a', 10), ev('u', 'b', 30), ev('v', 'x', 1), ev('u', 'c', 20)]);
        await s.recordEvents([ev('u', 'd', 40), ev('u', 'e', 50), ev('u', 'f', 5), ev('u', 'g', 60)]);
        // f (t=5) arrived late and is the oldest, so it is the first to go, then a
        expect(await items(s, 'u')).toEqual(['c', 'b', 'd', 'e', 'g']);
        expect(await items(s, 'v')).toEqual(['x']);
        // the same item may appear more than once: the history is of events, not items
        await s.recordEvents([ev('v', 'x', 2), ev('v', 'x', 3)]);
        expect(await items(s, 'v')).toEqual(['x', 'x', 'x']);
      }),
    );

    it(
      'keeps every field of a history record',
      withState(async (s) => {
        await s.recordEvents([
          ev('u', 'a', 1, { type: 'purchase', value: 19.99, recommendationId: 'r1', seq: 41 }),
          ev('u', 'b', 2, { type: 'like' }),
        ]);
        expect((await s.getUser('u')).history).toEqual([
          { itemId: 'a', type: 'purchase', timestamp: T0 + 1, value: 19.99, recommendationId: 'r1', seq: 41 },
          { itemId: 'b', type: 'like', timestamp: T0 + 2 },
        ]);
      }),
    );

    it(
      "changes a user's revision whenever their history changes, never on impressions, uniquely across users and deletions",
      withState(async (s) => {
        await s.recordEvents([ev('u', 'a', 1), ev('other', 'a', 1)]);
        const r1 = (await s.getUser('u')).revision;
        const other = (await s.getUser('other')).revision;
        expect(r1).toBeGreaterThan(0);
        expect(other).toBeGreaterThan(0);
        expect(other).not.toBe(r1);
        await s.recordEvents([ev('u', 'b', 2)]);
        const r2 = (await s.getUser('u')).revision;
        expect(r2).not.toBe(r1);
        await s.recordImpressions([imp('rec-1', 'u', ['x'], 3)]);
        expect((await s.getUser('u')).revision).toBe(r2);
        expect((await s.getUser('other')).revision).toBe(other);
        // a user deleted and seen again never gets back a revision a cache may still hold
        await s.deleteUser('u');
        await s.recordEvents([ev('u', 'a', 1)]);
        expect([r1, r2, other]).not.toContain((await s.getUser('u')).revision);
      }),
    );

    it(
      'records impressions per user (oldest first, capped) and by recommendation id for attribution',
      withState(async (s) => {
        const first = imp('rec-1', 'u', ['x', 'y'], 1);
        await s.recordImpressions([first, imp('rec-anon', undefined, ['z'], 2)]);
        expect(await s.getImpression('rec-1')).toEqual(first);
        expect(await s.getImpression('rec-anon')).toEqual(imp('rec-anon', undefined, ['z'], 2));
        expect((await s.getUser('u')).impressions).toEqual([
          { itemId: 'x', timestamp: T0 + 1 },
          { itemId: 'y', timestamp: T0 + 1 },
        ]);
        await s.recordImpressions([imp('rec-2', 'u', ['p', 'q', 'r'], 3)]);
        expect((await s.getUser('u')).impressions.map((i) => i.itemId)).toEqual(['y', 'p', 'q', 'r']);
        // impressions alone give the user state but no history
        expect((await s.getUser('u')).history).toEqual([]);
      }),
    );

    it(
      'ranks trending items by time-decayed activity with the configured half-life',
      withState(async (s) => {
        await s.recordEvents([ev('u', 'old', 0), ev('v', 'old', 0), ev('u', 'new', 5000), ev('w', 'mid', 3000)]);
        const top = await s.trending(10, T0 + 5000);
        expect(top.map((t) => t.itemId)).toEqual(['new', 'mid', 'old']);
        // score = sum over events of 2^-(age / halfLife)
        expect(top[0]!.score).toBeCloseTo(1, 9);
        expect(top[1]!.score).toBeCloseTo(0.25, 9);
        expect(top[2]!.score).toBeCloseTo(2 / 32, 9);
        // one half-life later every score halves; the order stays
        const later = await s.trending(2, T0 + 6000);
        expect(later.map((t) => t.itemId)).toEqual(['new', 'mid']);
        expect(later[0]!.score).toBeCloseTo(0.5, 9);
      }),
    );

    it(
      'breaks trending ties by item id',
      withState(async (s) => {
        await s.recordEvents([ev('u', 'b', 100), ev('u', 'c', 100), ev('u', 'a', 100), ev('u', 'top', 100), ev('v', 'top', 100)]);
        expect((await s.trending(3, T0 + 100)).map((t) => t.itemId)).toEqual(['top', 'a', 'b']);
        expect((await s.trending(10, T0 + 100)).map((t) => t.itemId)).toEqual(['top', 'a', 'b', 'c']);
      }),
    );

    it(
      'adds to named counters',
      withState(async (s) => {
        await s.incrementCounters({ eventsAccepted: 3, impressions: 1 });
        await s.incrementCounters({ eventsAccepted: 2, weight: 0.5 });
        expect(await s.counters()).toEqual({ eventsAccepted: 5, impressions: 1, weight: 0.5 });
      }),
    );

    it(
      'deleting a user forgets their state and leaves others alone',
      withState(async (s) => {
        await s.recordEvents([ev('gone', 'a', 1), ev('stays', 'b', 2)]);
        await s.recordImpressions([imp('rec-1', 'gone', ['x'], 3), imp('rec-2', 'stays', ['y'], 4), imp('rec-3', 'gone', [], 5)]);
        await s.deleteUser('gone');
        expect(await s.getUser('gone')).toEqual({ history: [], impressions: [], revision: 0 });
        expect(await items(s, 'stays')).toEqual(['b']);
        // the lists shown to them are no longer found for attribution; others' are
        expect(await s.getImpression('rec-1')).toBeUndefined();
        expect(await s.getImpression('rec-3')).toBeUndefined();
        expect((await s.getImpression('rec-2'))?.itemIds).toEqual(['y']);
        await s.deleteUser('never-seen');
      }),
    );

    it(
      'merges an anonymous user into a known one: histories and impressions interleaved by time, capped',
      withState(async (s) => {
        await s.recordEvents([ev('anon', 'a', 20), ev('anon', 'b', 40), ev('known', 'c', 10), ev('known', 'd', 30), ev('known', 'e', 50)]);
        await s.recordEvents([ev('known', 'f', 60), ev('anon', 'g', 70)]);
        await s.recordImpressions([imp('r1', 'known', ['k1', 'k2'], 5), imp('r2', 'anon', ['a1'], 6), imp('r3', 'known', ['k3'], 7)]);
        const before = (await s.getUser('known')).revision;
        await s.mergeUsers('anon', 'known');
        // seven events, cap five: the two oldest (c, a) go
        expect(await items(s, 'known')).toEqual(['d', 'b', 'e', 'f', 'g']);
        expect((await s.getUser('known')).impressions.map((i) => i.itemId)).toEqual(['k1', 'k2', 'a1', 'k3']);
        expect((await s.getUser('known')).revision).not.toBe(before);
        expect(await s.getUser('anon')).toEqual({ history: [], impressions: [], revision: 0 });
        // into a user never seen: the state moves over
        await s.mergeUsers('known', 'fresh');
        expect(await items(s, 'fresh')).toEqual(['d', 'b', 'e', 'f', 'g']);
        expect((await s.getUser('known')).history).toEqual([]);
        // erasing the user merged into reaches the lists shown to both ids before
        expect(await s.getImpression('r2')).toBeDefined();
        await s.deleteUser('fresh');
        for (const id of ['r1', 'r2', 'r3']) expect(await s.getImpression(id)).toBeUndefined();
      }),
    );

    it(
      'merging from a user without state changes nothing',
      withState(async (s) => {
        await s.recordEvents([ev('known', 'a', 1)]);
        const before = await s.getUser('known');
        await s.mergeUsers('nobody', 'known');
        expect(await s.getUser('known')).toEqual(before);
      }),
    );

    it(
      'trimBefore drops events a model covers (seq <= cut), keeps events without seq, for every user, and keeps revisions',
      withState(async (s) => {
        await s.recordEvents([ev('u', 'a', 1, { seq: 5 }), ev('u', 'b', 2, { seq: 9 }), ev('u', 'c', 3), ev('v', 'x', 4, { seq: 3 }), ev('w', 'y', 5, { seq: 10 })]);
        const r = (await s.getUser('u')).revision;
        const w = (await s.getUser('w')).revision;
        await s.trimBefore(5);
        expect(await items(s, 'u')).toEqual(['b', 'c']);
        // the dropped events are in the model that replaced them: nothing the user did changed, so
        // lists cached for them stay valid (an event recorded meanwhile changed the revision itself)
        expect((await s.getUser('u')).revision).toBe(r);
        expect((await s.getUser('v')).history).toEqual([]);
        expect(await items(s, 'w')).toEqual(['y']);
        expect((await s.getUser('w')).revision).toBe(w);
        // trending is activity, not history: trimming does not cool items down
        expect((await s.trending(10, T0 + 5)).map((t) => t.itemId)).toContain('a');
      }),
    );
  });
}
