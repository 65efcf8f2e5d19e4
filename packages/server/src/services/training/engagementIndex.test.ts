import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../adapters/sqlite/sqliteStore.ts';
import type { Impression } from '../../ports/onlineState.ts';
import { buildEngagementIndex, collectImpressions } from './engagementIndex.ts';

const imp = (recommendationId: string, itemIds: string[], timestamp = 0): Impression => ({ recommendationId, itemIds, timestamp, surface: 'user' });

describe('engagement index', () => {
  it('counts shown items and engaged ones from events carrying the recommendation id', () => {
    const log = [imp('r1', ['a', 'b', 'c']), imp('r2', ['a', 'b']), imp('r3', ['a', 'd'])];
    const events = [
      { recommendationId: 'r1', itemId: 'a', type: 'click' },
      // a second event on the same item of the same list is one engagement
      { recommendationId: 'r1', itemId: 'a', type: 'purchase' },
      { recommendationId: 'r2', itemId: 'b', type: 'click' },
      // weighted 0 (ignored by training): not an engagement
      { recommendationId: 'r3', itemId: 'd', type: 'dislike' },
      // not in that list, or a list outside the log: nothing
      { recommendationId: 'r2', itemId: 'c', type: 'click' },
      { recommendationId: 'gone', itemId: 'a', type: 'click' },
    ];
    const idx = buildEngagementIndex(log, events, { click: 1, purchase: 3, dislike: 0 });
    expect({ ...idx }).toEqual({
      a: { impressions: 3, engagements: 1 },
      b: { impressions: 2, engagements: 1 },
      c: { impressions: 1, engagements: 0 },
      d: { impressions: 1, engagements: 0 },
    });
    expect(buildEngagementIndex([], events, {})).toBeUndefined();
  });

  it('reads only the newest shown lists of the log', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    await store.init();
    const row = (i: Impression) => ({ ...i, firstId: i.recommendationId, page: 1 });
    // written out of time order: the read orders by time, not by write
    await store.logShownLists([imp('new1', ['y'], 200), imp('old1', ['x'], 100)].map(row));
    await store.logShownLists([imp('old2', ['x'], 101), imp('new2', ['y'], 201)].map(row));
    const newest = await collectImpressions(store, 3);
    expect(newest.map((i) => i.recommendationId)).toEqual(['new2', 'new1', 'old2']);
    expect(newest[0]).toMatchObject({ itemIds: ['y'], timestamp: 201, surface: 'user' });
    await store.close();
  });
});
