import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNewArrivalsIndex } from '../retrieval/newArrivals.ts';
import { buildPopularityIndex } from '../retrieval/popularity.ts';
import { buildTrendingIndex } from '../retrieval/trending.ts';
import type { PipelineIndexes } from './indexes.ts';
import { runPipeline } from './run.ts';
import { DEFAULT_KNOBS, FALLBACK_TYPES, type Promotion, type Scenario } from './scenario.ts';
import { BUILTIN_SCENARIOS } from './scenarios.ts';
import { profile, syntheticWorld } from './testFixtures.ts';
import type { CatalogItem, PipelineInputs } from './types.ts';

/**
 * "A rule never leaks, even under promotions and fallbacks": random scenarios (filter rules
 * with a JavaScript twin, pins aimed at forbidden, consumed and excluded items, rule
 * promotions, caps, exploration, minRelevance that hands the list to the fallbacks) and users
 * (history, dislikes, hidden categories, stated likes) — no returned item may break any of them.
 */
const DAY = 86_400_000;
const world = syntheticWorld();
const cat = (id: string) => world.catalog.byId(id)?.properties.category as string;
const indexes: PipelineIndexes = {
  popularity: buildPopularityIndex(world.data.interactions, { segmentsOf: (u) => [`country=${Number(u.slice(1)) % 2 === 0 ? 'fr' : 'us'}`], categoriesOf: (id) => [cat(id)] }),
  trending: buildTrendingIndex(world.data.interactions.map((e) => ({ itemId: e.itemId, timestamp: e.timestamp ?? 0 })), { now: world.now }),
  newArrivals: buildNewArrivalsIndex(world.items.map((it, k) => (k % 9 === 0 ? { ...it, createdAt: world.now - DAY } : it))),
};
const allIds = world.items.map((i) => i.id);
const num = (item: CatalogItem, p: string) => item.properties[p] as number;

/** Filter rules and the same condition in JavaScript. */
const FILTERS: Array<[rule: string, holds: (item: CatalogItem) => boolean]> = [
  ["item.category != 'c1'", (it) => it.properties.category !== 'c1'],
  ["item.category in ['c0', 'c2', 'c4']", (it) => ['c0', 'c2', 'c4'].includes(it.properties.category as string)],
  ['item.price < 50', (it) => num(it, 'price') < 50],
  ["item.brand not in ['b0', 'b3']", (it) => !['b0', 'b3'].includes(it.properties.brand as string)],
  ["item.price >= 20 && item.category != 'c5'", (it) => num(it, 'price') >= 20 && it.properties.category !== 'c5'],
  ["!(item.brand == 'b2' || item.category == 'c3')", (it) => !(it.properties.brand === 'b2' || it.properties.category === 'c3')],
];

describe('no leaks under promotions, exploration and fallbacks (property)', () => {
  it('every returned item passes the filters, the exclusions, the feedback, the history and the caps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 15 }),
        fc.subarray(FILTERS.map((_, k) => k), { maxLength: 2 }),
        fc.constantFrom('u0', 'u3', 'u7', 'new'),
        fc.array(fc.record({ slot: fc.integer({ min: 0, max: 14 }), target: fc.constantFrom('history', 'disliked', 'hidden', 'excluded', 'any') , any: fc.constantFrom(...allIds) }), { maxLength: 4 }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        fc.constantFrom(0, 0.5, 1.01),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 4 }),
        fc.shuffledSubarray([...FALLBACK_TYPES], { minLength: 1 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (n, filterIdx, u, pinSpecs, share, minRelevance, exploration, capMax, fallbacks, likes, seed) => {
          const history = u === 'new' ? [] : world.historyOf(u);
          const disliked = ['i3', 'i9', 'i40'];
          const hiddenCategory = 'c4';
          const exclude = ['i11', 'i12'];
          const pickTarget = (t: string, any: string): string => {
            if (t === 'history' && history.length > 0) return history[seed % history.length].itemId;
            if (t === 'disliked') return disliked[seed % disliked.length];
            if (t === 'hidden') return allIds.find((id) => cat(id) === hiddenCategory) as string;
            if (t === 'excluded') return exclude[seed % 2];
            return any;
          };
          const pins: Promotion[] = pinSpecs.map((p) => ({ type: 'pin', itemId: pickTarget(p.target, p.any), slot: p.slot }));
          const filters = filterIdx.map((k) => FILTERS[k]);
          const s: Scenario = {
            ...BUILTIN_SCENARIOS.homepage,
            name: 'random',
            filters: filters.map((f) => f[0]),
            promotions: [...pins, { type: 'rule', rule: "item.category == 'c4' || item.brand == 'b1'", share }],
            caps: [{ property: 'brand', max: capMax }],
            knobs: { ...DEFAULT_KNOBS, diversity: 0.3, exploration, minRelevance, fallbacks },
          };
          const user = profile(u, history, { preferences: { dislikedItems: disliked, hiddenCategories: [hiddenCategory], ...(likes ? { likedCategories: ['c4', 'c2'] } : {}) } });
          const inputs: PipelineInputs = { model: world.model, catalog: world.catalog, user, context: { now: world.now, country: 'fr' }, indexes };
          const out = runPipeline(inputs, { n, scenario: s, exclude, seed }).items.map((i) => i.itemId);
          expect(new Set(out).size).toBe(out.length);
          const consumed = new Set(history.map((e) => e.itemId));
          const brands = new Map<string, number>();
          for (const id of out) {
            const item = world.catalog.byId(id) as CatalogItem;
            for (const [rule, holds] of filters) expect(holds(item), `${id} breaks ${rule}`).toBe(true);
            expect(exclude).not.toContain(id);
            expect(disliked).not.toContain(id);
            expect(cat(id)).not.toBe(hiddenCategory);
            expect(consumed.has(id), `${id} was consumed`).toBe(false);
            const b = item.properties.brand as string;
            brands.set(b, (brands.get(b) ?? 0) + 1);
          }
          for (const c of brands.values()) expect(c).toBeLessThanOrEqual(capMax);
        },
      ),
      { numRuns: 120, seed: 23 },
    );
  });

  it('a pin skips an item the user already consumed, unless the scenario keeps seen items', () => {
    const history = world.historyOf('u0');
    const consumed = history[history.length - 1].itemId;
    const s: Scenario = { ...BUILTIN_SCENARIOS.homepage, name: 'pinned', promotions: [{ type: 'pin', itemId: consumed, slot: 0, label: 'Deal' }] };
    const inputs: PipelineInputs = { model: world.model, catalog: world.catalog, user: profile('u0', history), context: { now: world.now }, indexes };
    const r = runPipeline(inputs, { n: 5, scenario: s });
    expect(r.items.map((i) => i.itemId)).not.toContain(consumed);
    expect(r.items[0].reasons[0].type).not.toBe('promoted');
    // a re-order scenario (excludeSeen: false) may show what the user bought before, pins too
    const again = runPipeline(inputs, { n: 5, scenario: { ...s, excludeSeen: false } });
    expect(again.items[0].itemId).toBe(consumed);
    expect(again.items[0].reasons[0]).toEqual({ type: 'promoted', text: 'Deal' });
  });
});
