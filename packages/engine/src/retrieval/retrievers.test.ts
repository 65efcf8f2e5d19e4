import { describe, expect, it } from 'vitest';
import { memoryCatalog } from '../pipeline/catalogView.ts';
import type { PipelineIndexes } from '../pipeline/indexes.ts';
import { profile, syntheticWorld } from '../pipeline/testFixtures.ts';
import type { CatalogItem, PipelineInputs } from '../pipeline/types.ts';
import { retrieveCollaborative } from './collaborative.ts';
import { buildNewArrivalsIndex, retrieveNewArrivals } from './newArrivals.ts';
import { buildPopularityIndex, retrievePopular, retrievePopularInSegment } from './popularity.ts';
import { retrievePreferences } from './preferences.ts';
import { retrieveRecentlyViewed } from './recentlyViewed.ts';
import { retrieveSimilar } from './similar.ts';
import { buildTrendingIndex, retrieveTrending } from './trending.ts';
import type { RetrievalQuery } from './types.ts';

const DAY = 86_400_000;

function q(inputs: PipelineInputs, indexes: PipelineIndexes = {}, extra: Partial<RetrievalQuery> = {}): RetrievalQuery {
  return { inputs, indexes, historyIds: [], seedIds: [], segments: [], isExcluded: () => false, categoryProperty: 'category', ...extra };
}

describe('retrievers find their planted answer', () => {
  const world = syntheticWorld();
  const inputs = (user = profile('x')): PipelineInputs => ({ model: world.model, catalog: world.catalog, user, context: { now: world.now } });

  it('collaborative: a cluster-0 history gets cluster-0 items', () => {
    const history = world.historyOf('u0').map((e) => e.itemId);
    const got = retrieveCollaborative(q(inputs(), {}, { historyIds: history }), 10);
    expect(got).toHaveLength(10);
    expect(got.filter((g) => world.data.itemCluster.get(g.item.id) === 0).length).toBeGreaterThanOrEqual(8);
  });

  it('similar: neighbours of an item share its cluster and name it in the reason', () => {
    const got = retrieveSimilar(q(inputs(), {}, { seedIds: ['i7'] }), 10);
    expect(got.filter((g) => world.data.itemCluster.get(g.item.id) === world.data.itemCluster.get('i7')).length).toBeGreaterThanOrEqual(8);
    expect(got[0].reason).toMatchObject({ type: 'similar-to', itemIds: ['i7'] });
  });

  it('trending: a recent burst beats an old best-seller', () => {
    const now = 100 * DAY;
    const events = [
      ...Array.from({ length: 200 }, (_, k) => ({ itemId: 'old-hit', timestamp: k * (90 * DAY / 200) })),
      ...Array.from({ length: 30 }, (_, k) => ({ itemId: 'rising', timestamp: now - k * 3_600_000 })),
      ...Array.from({ length: 5 }, (_, k) => ({ itemId: 'old-hit', timestamp: now - k * 3_600_000 })),
    ];
    const trending = buildTrendingIndex(events, { now, halfLifeMs: DAY });
    const catalog = memoryCatalog(['old-hit', 'rising'].map((id) => ({ id, index: -1, properties: {}, available: true })));
    const got = retrieveTrending(q({ catalog, context: { now: now + DAY } }, { trending }), 2);
    expect(got[0].item.id).toBe('rising');
    expect(got[0].reason.type).toBe('trending');
  });

  it('new arrivals: newest first, nothing older than the cutoff', () => {
    const now = 50 * DAY;
    const items: CatalogItem[] = [0, 10, 45, 49].map((d) => ({ id: `d${d}`, index: -1, properties: {}, available: true, createdAt: d * DAY }));
    const newArrivals = buildNewArrivalsIndex(items);
    const got = retrieveNewArrivals(q({ catalog: memoryCatalog(items), context: { now } }, { newArrivals }), 10, 30 * DAY);
    expect(got.map((g) => g.item.id)).toEqual(['d49', 'd45']);
  });

  it('recently viewed: newest view first, deduplicated', () => {
    const user = profile('x', [
      { itemId: 'i1', type: 'view', timestamp: 1 },
      { itemId: 'i2', type: 'purchase', timestamp: 2 },
      { itemId: 'i3', type: 'view', timestamp: 3 },
      { itemId: 'i1', type: 'view', timestamp: 4 },
    ]);
    const got = retrieveRecentlyViewed(q(inputs(user)), 5);
    expect(got.map((g) => g.item.id)).toEqual(['i1', 'i3']);
  });

  it('popular in segment and globally', () => {
    const events = [
      ...Array.from({ length: 10 }, (_, k) => ({ userId: `fr${k}`, itemId: 'i5' })),
      ...Array.from({ length: 20 }, (_, k) => ({ userId: `us${k}`, itemId: 'i9' })),
    ];
    const popularity = buildPopularityIndex(events, { segmentsOf: (u) => [`country=${u.slice(0, 2)}`] });
    const frq = q(inputs(), { popularity }, { segments: ['country=fr'] });
    expect(retrievePopularInSegment(frq, 1)[0].item.id).toBe('i5');
    expect(retrievePopularInSegment(frq, 1)[0].reason).toMatchObject({ type: 'popular-in-segment', value: 'country=fr' });
    expect(retrievePopular(frq, 1)[0].item.id).toBe('i9');
  });

  it('preferences: liked categories steer before any event', () => {
    const popularity = buildPopularityIndex(world.data.interactions, { categoriesOf: (id) => [`c${world.data.itemCluster.get(id)}`] });
    const user = profile('new', [], { preferences: { likedCategories: ['c4'] } });
    const got = retrievePreferences(q(inputs(user), { popularity }), 10);
    expect(got).toHaveLength(10);
    expect(got.every((g) => g.item.properties.category === 'c4')).toBe(true);
    expect(got[0].reason).toMatchObject({ type: 'because-you-liked-category', value: 'c4' });
  });
});
