import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildContentIndex } from '../retrieval/content.ts';
import { buildNewArrivalsIndex } from '../retrieval/newArrivals.ts';
import { buildPopularityIndex } from '../retrieval/popularity.ts';
import { retrievePreferences } from '../retrieval/preferences.ts';
import { buildTrendingIndex } from '../retrieval/trending.ts';
import type { PipelineIndexes } from './indexes.ts';
import { runPipeline } from './run.ts';
import { STATED_SHARE, statedShare } from './stages/statedPreferences.ts';
import { profile, syntheticWorld } from './testFixtures.ts';
import type { PipelineInputs, UserProfile } from './types.ts';

/**
 * Cold start from stated preferences on the planted synthetic shop (six taste clusters, each
 * item's category names its cluster), with every index the server builds: popularity (global,
 * per segment, per category), trending, content, new arrivals — so the liked category competes
 * with everything a cold user is otherwise shown.
 */
const world = syntheticWorld();
const cat = (id: string) => world.catalog.byId(id)?.properties.category as string;
const CATEGORIES = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5'];
const indexes: PipelineIndexes = {
  popularity: buildPopularityIndex(world.data.interactions, { segmentsOf: (u) => [`country=${Number(u.slice(1)) % 2 === 0 ? 'fr' : 'us'}`], categoriesOf: (id) => [cat(id)] }),
  trending: buildTrendingIndex(world.data.interactions.map((e) => ({ itemId: e.itemId, timestamp: e.timestamp ?? 0 })), { now: world.now }),
  content: buildContentIndex(world.items, { categorical: ['category', 'brand'], text: ['title'], numeric: ['price'] }),
  newArrivals: buildNewArrivalsIndex(world.items),
};
const inputs = (user: UserProfile): PipelineInputs => ({ model: world.model, catalog: world.catalog, user, context: { now: world.now, country: 'fr' }, indexes });
const ids = (r: { items: Array<{ itemId: string }> }) => r.items.map((i) => i.itemId);

describe('cold start from stated preferences (homepage, default knobs)', () => {
  it('one liked category fills most of the list, with some variety left', () => {
    for (const c of CATEGORIES) {
      const r = runPipeline(inputs(profile('new', [], { preferences: { likedCategories: [c] } })), { n: 10 });
      const mine = ids(r).filter((id) => cat(id) === c).length;
      expect(r.items).toHaveLength(10);
      expect(mine, c).toBeGreaterThanOrEqual(7);
      // diversity still has its say: at least one item from elsewhere
      expect(mine, c).toBeLessThanOrEqual(9);
      expect(r.items[0].reasons[0]).toMatchObject({ type: 'because-you-liked-category', value: c });
    }
  });

  it('without preferences the same cold user gets a spread list (the test above is not the default)', () => {
    const r = runPipeline(inputs(profile('new')), { n: 10 });
    const counts = new Map<string, number>();
    for (const id of ids(r)) counts.set(cat(id), (counts.get(cat(id)) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeLessThan(7);
  });

  it('never shows hidden categories or disliked items; liked ones lead (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(CATEGORIES, { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 2 }),
        fc.array(fc.constantFrom(...world.items.map((i) => i.id)), { maxLength: 8 }),
        fc.integer({ min: 1, max: 20 }),
        (cats, likedCount, disliked, n) => {
          const liked = cats.slice(0, Math.min(likedCount, cats.length - 1 || 1));
          const hidden = cats.slice(liked.length);
          const user = profile('new', [], { preferences: { likedCategories: liked, hiddenCategories: hidden, dislikedItems: disliked } });
          const out = ids(runPipeline(inputs(user), { n }));
          expect(out).toHaveLength(n);
          for (const id of out) {
            expect(hidden).not.toContain(cat(id));
            expect(disliked).not.toContain(id);
          }
          const share = out.filter((id) => liked.includes(cat(id))).length / n;
          expect(share).toBeGreaterThanOrEqual(Math.round(STATED_SHARE * n) / n);
        },
      ),
      { numRuns: 40, seed: 4 },
    );
  });

  it('stated preferences give way as the history grows', () => {
    const history = world.historyOf('u2');
    expect(history.length).toBeGreaterThanOrEqual(20);
    const prefs = { preferences: { likedCategories: ['c5'] } };
    expect(statedShare(profile('new', [], prefs))).toBe(STATED_SHARE);
    expect(statedShare(profile('new', history.slice(0, 10), prefs))).toBeCloseTo(STATED_SHARE / 2);
    expect(statedShare(profile('u2', history, prefs))).toBe(0);
    expect(statedShare(profile('new', history.slice(0, 10)))).toBe(0);
    // a warm cluster-2 user who once said "c5" keeps their own taste, c5 still gets a look in
    const warm = runPipeline(inputs(profile('u2', history, prefs)), { n: 10, explain: true });
    expect(warm.trace?.stated).toBe(0);
    expect(ids(warm).filter((id) => cat(id) === 'c2').length).toBeGreaterThanOrEqual(4);
  });

  it('liked items: because-you-said items like them, first among the reasons, never the liked item itself', () => {
    const liked = ['i4', 'i10'];
    const r = runPipeline(inputs(profile('new', [], { preferences: { likedItems: liked } })), { n: 10, explain: true });
    expect(ids(r)).not.toContain('i4');
    expect(ids(r)).not.toContain('i10');
    const said = r.items.filter((i) => i.reasons.some((x) => x.type === 'because-you-said'));
    expect(said.length).toBeGreaterThanOrEqual(7);
    expect(r.items[0].reasons[0]).toMatchObject({ type: 'because-you-said', itemIds: liked });
    for (const it of r.items.filter((i) => i.explain?.stated === 1)) expect(it.reasons[0].type).toBe('because-you-said');
    // i4 and i10 are both planted in cluster 4
    expect(ids(r).filter((id) => cat(id) === cat('i4')).length).toBeGreaterThanOrEqual(7);
  });
});

describe('retrievePreferences', () => {
  const query = (user: UserProfile) => ({ inputs: inputs(user), indexes, historyIds: [], seedIds: [], segments: [], isExcluded: () => false, categoryProperty: 'category' });

  it('scores by rank within each preference, interleaved: every liked category and the liked items lead with 1', () => {
    const got = retrievePreferences(query(profile('new', [], { preferences: { likedCategories: ['c1', 'c3'], likedItems: ['i5'] } })), 30);
    expect(got.slice(0, 3).map((g) => g.score)).toEqual([1, 1, 1]);
    expect(got.slice(0, 3).map((g) => g.reason.type)).toEqual(['because-you-liked-category', 'because-you-liked-category', 'because-you-said']);
    expect([cat(got[0].item.id), cat(got[1].item.id)]).toEqual(['c1', 'c3']);
    for (let k = 1; k < got.length; k++) expect(got[k].score).toBeLessThanOrEqual(got[k - 1].score);
    expect(got.at(-1)!.score).toBeGreaterThanOrEqual(0.5);
    expect(got.map((g) => g.item.id)).not.toContain('i5');
  });
});
