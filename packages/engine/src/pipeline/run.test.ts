import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAssociationIndex } from '../retrieval/associations.ts';
import { buildNewArrivalsIndex } from '../retrieval/newArrivals.ts';
import { buildPopularityIndex } from '../retrieval/popularity.ts';
import { buildTrendingIndex } from '../retrieval/trending.ts';
import { memoryCatalog } from './catalogView.ts';
import { fitContextModel } from './context/contextModel.ts';
import type { PipelineIndexes } from './indexes.ts';
import { rerankList, resolveScenario, runPipeline, UnknownScenarioError, type PipelineRequest } from './run.ts';
import { DEFAULT_KNOBS, type Scenario } from './scenario.ts';
import { BUILTIN_SCENARIOS } from './scenarios.ts';
import { profile, syntheticWorld } from './testFixtures.ts';
import { REASON_TYPES, type CatalogItem, type PipelineInputs, type UserProfile } from './types.ts';

const DAY = 86_400_000;
const world = syntheticWorld();
const cat = (id: string) => world.catalog.byId(id)?.properties.category as string;
const popularity = buildPopularityIndex(world.data.interactions, {
  segmentsOf: (u) => [`country=${Number(u.slice(1)) % 2 === 0 ? 'fr' : 'us'}`],
  categoriesOf: (id) => [cat(id)],
});
const trending = buildTrendingIndex(world.data.interactions.map((e) => ({ itemId: e.itemId, timestamp: e.timestamp ?? 0 })), { now: world.now });
const indexes: PipelineIndexes = { popularity, trending };
const inputs = (user?: UserProfile, extra: Partial<PipelineInputs> = {}): PipelineInputs => ({ model: world.model, catalog: world.catalog, user, context: { now: world.now, country: 'fr' }, indexes, ...extra });
const ids = (r: { items: Array<{ itemId: string }> }) => r.items.map((i) => i.itemId);
const userOf = (u: string, extra: Partial<UserProfile> = {}) => profile(u, world.historyOf(u), extra);

function scenario(over: Partial<Scenario> = {}): Scenario {
  return { ...BUILTIN_SCENARIOS.homepage, name: 'test', ...over, knobs: { ...BUILTIN_SCENARIOS.homepage.knobs, ...(over.knobs ?? {}) } };
}

describe('runPipeline: the contract', () => {
  it('keeps the first-version call shape: n, exclude, explain', () => {
    const r = runPipeline(inputs(userOf('u0')), { n: 10, exclude: ['i6'], explain: true });
    expect(r.items).toHaveLength(10);
    expect(ids(r)).not.toContain('i6');
    for (const it of r.items) {
      expect(it.reasons.length).toBeGreaterThan(0);
      for (const reason of it.reasons) {
        expect(REASON_TYPES).toContain(reason.type);
        expect(reason.text.length).toBeGreaterThan(0);
      }
      expect(it.explain?.final).toBeCloseTo(it.score);
      expect(it.explain?.relevance).toBeTypeOf('number');
    }
    expect(r.trace?.retrieved).toBeGreaterThan(0);
  });

  it('personalizes: a cluster-2 user gets mostly cluster-2 items, none of their history', () => {
    const user = userOf('u2');
    const r = runPipeline(inputs(user), { n: 10, knobs: { diversity: 0, exploration: 0 } });
    expect(ids(r).filter((id) => cat(id) === 'c2').length).toBeGreaterThanOrEqual(8);
    const seen = new Set(user.history.map((e) => e.itemId));
    expect(ids(r).some((id) => seen.has(id))).toBe(false);
  });

  it('same seed → same list; the default seed is derived from the request, so repeats agree', () => {
    const req: PipelineRequest = { n: 10, seed: 5, knobs: { exploration: 0.5 } };
    expect(ids(runPipeline(inputs(userOf('u3')), req))).toEqual(ids(runPipeline(inputs(userOf('u3')), req)));
    expect(ids(runPipeline(inputs(userOf('u3')), { n: 10 }))).toEqual(ids(runPipeline(inputs(userOf('u3')), { n: 10 })));
  });
});

describe('runPipeline: rules, promotions, caps and fallbacks', () => {
  const allItems = world.items.map((i) => i.id);
  it('never leaks a forbidden item; caps hold; allowed pins land in their slots (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.record({ itemId: fc.constantFrom(...allItems), slot: fc.integer({ min: 0, max: 14 }) }), { maxLength: 3 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer({ min: 3, max: 5 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0, 0.3, 1.01),
        fc.constantFrom('u0', 'u1', 'u5', 'new'),
        (n, pins, share, capMax, diversity, exploration, minRelevance, u) => {
          const s = scenario({
            filters: ["item.category != 'c1'"],
            promotions: [...pins.map((p) => ({ type: 'pin' as const, ...p })), { type: 'rule', rule: "item.category == 'c1' || item.category == 'c3'", share }],
            caps: [{ property: 'brand', max: capMax }],
            knobs: { ...DEFAULT_KNOBS, diversity, exploration, minRelevance },
          });
          const user = u === 'new' ? profile('new', [], { preferences: { dislikedItems: ['i3', 'i9'] } }) : userOf(u, { preferences: { dislikedItems: ['i3', 'i9'] } });
          const r = runPipeline(inputs(user), { n, scenario: s, exclude: ['i4'], seed: 1 });
          const out = ids(r);
          expect(new Set(out).size).toBe(out.length);
          expect(out.length).toBe(n);
          for (const id of out) {
            expect(cat(id)).not.toBe('c1');
            expect(['i3', 'i9', 'i4']).not.toContain(id);
          }
          const brands = new Map<string, number>();
          for (const id of out) {
            const b = world.catalog.byId(id)?.properties.brand as string;
            brands.set(b, (brands.get(b) ?? 0) + 1);
          }
          for (const c of brands.values()) expect(c).toBeLessThanOrEqual(capMax);
          // the first allowed pin per slot and per item lands there
          const usedSlots = new Set<number>();
          const usedItems = new Set<string>();
          for (const p of pins) {
            if (p.slot >= n || usedSlots.has(p.slot) || usedItems.has(p.itemId)) continue;
            if (cat(p.itemId) === 'c1' || ['i3', 'i9', 'i4'].includes(p.itemId)) continue;
            // nor does an item the user already consumed (the scenario excludes seen items)
            if (user.history.some((e) => e.itemId === p.itemId)) continue;
            usedSlots.add(p.slot);
            usedItems.add(p.itemId);
            expect(out[p.slot]).toBe(p.itemId);
            expect(r.items[p.slot].reasons[0].type).toBe('promoted');
          }
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });

  it('fills a share of the slots from a promotion rule', () => {
    const s = scenario({ promotions: [{ type: 'rule', rule: "item.category == 'c5'", share: 0.3, label: 'Summer sale' }] });
    const r = runPipeline(inputs(userOf('u0')), { n: 10, scenario: s });
    const promoted = r.items.filter((i) => i.reasons.some((x) => x.type === 'promoted'));
    expect(promoted).toHaveLength(3);
    expect(promoted.every((i) => cat(i.itemId) === 'c5')).toBe(true);
    expect(promoted[0].reasons[0].text).toBe('Summer sale');
  });

  it('drops candidates under minRelevance and labels the fallbacks in order', () => {
    const r = runPipeline(inputs(userOf('u0')), { n: 10, knobs: { minRelevance: 1.01 } });
    expect(r.items).toHaveLength(10);
    for (const it of r.items) expect(it.reasons[0].type).toBe('fallback');
    expect(r.items[0].reasons[0].value).toBe('country=fr');
    const noSegment = runPipeline({ ...inputs(userOf('u0')), context: { now: world.now } }, { n: 10, knobs: { minRelevance: 1.01, fallbacks: ['trending', 'popular'] } });
    expect(noSegment.items[0].reasons[0].value).toBe('trending');
  });

  it('boost rules raise matching items', () => {
    const plain = runPipeline(inputs(userOf('u0')), { n: 10, knobs: { diversity: 0 } });
    const boosted = runPipeline(inputs(userOf('u0')), { n: 10, scenario: scenario({ boosts: [{ rule: "boost 20 if item.category == 'c3'", weight: 1 }], knobs: { ...DEFAULT_KNOBS } }) });
    expect(ids(boosted).filter((id) => cat(id) === 'c3').length).toBeGreaterThan(ids(plain).filter((id) => cat(id) === 'c3').length);
  });
});

describe('runPipeline: feedback and cold start', () => {
  it('dislike, not-interested and hide-category exclude at once', () => {
    const user = userOf('u0');
    const first = ids(runPipeline(inputs(user), { n: 10 }));
    const t = world.now - 1000;
    const after = profile('u0', [
      ...user.history,
      { itemId: first[0], type: 'dislike', timestamp: t },
      { itemId: first[1], type: 'not-interested', timestamp: t },
    ]);
    const second = ids(runPipeline(inputs(after), { n: 10 }));
    expect(second).not.toContain(first[0]);
    expect(second).not.toContain(first[1]);
    const hidden = profile('u0', [...user.history, { itemId: first[0], type: 'hide-category', timestamp: t }]);
    expect(ids(runPipeline(inputs(hidden), { n: 10 })).some((id) => cat(id) === cat(first[0]))).toBe(false);
    const viaPrefs = userOf('u0', { preferences: { hiddenCategories: ['c0'] } });
    expect(ids(runPipeline(inputs(viaPrefs), { n: 10 })).some((id) => cat(id) === 'c0')).toBe(false);
  });

  it('a new user gets popular in their segment, then personal picks from the first events', () => {
    const cold = runPipeline(inputs(profile('new', [], { attributes: { country: 'fr' } })), { n: 10 });
    expect(cold.items).toHaveLength(10);
    expect(cold.items[0].reasons.some((r) => r.type === 'popular-in-segment' || r.type === 'trending')).toBe(true);
    const firstEvents = ['i4', 'i10', 'i16'].map((itemId, k) => ({ itemId, type: 'view', timestamp: world.now - 1000 + k }));
    const warm = runPipeline(inputs(profile('new', firstEvents)), { n: 10, knobs: { diversity: 0 } });
    expect(warm.items[0].reasons.some((r) => r.type === 'personalized')).toBe(true);
    expect(ids(warm).filter((id) => cat(id) === 'c4').length).toBeGreaterThanOrEqual(7);
  });

  it('liked categories steer a new user at once', () => {
    const r = runPipeline(inputs(profile('new', [], { preferences: { likedCategories: ['c5'] } })), { n: 10, knobs: { diversity: 0 } });
    expect(ids(r).filter((id) => cat(id) === 'c5').length).toBeGreaterThanOrEqual(8);
    expect(r.items[0].reasons.some((x) => x.type === 'because-you-liked-category' && x.value === 'c5')).toBe(true);
  });

  it('rotation: items shown recently and ignored drop', () => {
    const user = userOf('u0');
    const first = ids(runPipeline(inputs(user), { n: 10, knobs: { rotation: 1 } }));
    const shown = profile('u0', user.history, { recentImpressions: first.slice(0, 5).map((itemId) => ({ itemId, timestamp: world.now - 3_600_000 })) });
    const second = ids(runPipeline(inputs(shown), { n: 10, knobs: { rotation: 1 } }));
    for (const id of first.slice(0, 5)) expect(second.indexOf(id) === -1 || second.indexOf(id) > first.indexOf(id)).toBe(true);
    // engaging after the impression means it was not ignored
    const engaged = profile('u0', [...user.history, { itemId: first[0], type: 'click', timestamp: world.now - 1000 }], { recentImpressions: [{ itemId: first[0], timestamp: world.now - 3_600_000 }] });
    expect(runPipeline(inputs(engaged), { n: 10, knobs: { rotation: 1 }, explain: true }).items.every((i) => i.explain?.rotation === undefined)).toBe(true);
  });
});

describe('runPipeline: re-ranking knobs', () => {
  const users = Array.from({ length: 24 }, (_, k) => `u${k}`);
  const ild = (list: string[]) => {
    let s = 0;
    let pairs = 0;
    for (let a = 0; a < list.length; a++) for (let b = a + 1; b < list.length; b++, pairs++) s += cat(list[a]) === cat(list[b]) ? 0 : 1;
    return s / pairs;
  };
  const meanIld = (diversity: number) => users.reduce((acc, u) => acc + ild(ids(runPipeline(inputs(userOf(u)), { n: 10, knobs: { diversity, exploration: 0 } }))), 0) / users.length;

  it('diversity raises intra-list diversity', () => {
    const d0 = meanIld(0);
    const d5 = meanIld(0.5);
    expect(d5).toBeGreaterThan(d0 + 0.1);
    expect(meanIld(1)).toBeGreaterThanOrEqual(d5);
  });

  it('exploration gives new items impressions', () => {
    const fresh: CatalogItem[] = Array.from({ length: 20 }, (_, k) => ({ id: `new${k}`, index: -1, properties: { category: `c${k % 6}`, brand: 'b9' }, available: true, createdAt: world.now - DAY }));
    const catalog = memoryCatalog([...world.items, ...fresh], world.catalog.modelSize);
    const idx: PipelineIndexes = { ...indexes, newArrivals: buildNewArrivalsIndex(catalog.all()) };
    const shown = (exploration: number) =>
      users.reduce((acc, u) => acc + ids(runPipeline({ ...inputs(userOf(u)), catalog, indexes: idx }, { n: 10, knobs: { exploration } })).filter((id) => id.startsWith('new')).length, 0);
    expect(shown(0)).toBe(0);
    const explored = shown(0.4);
    expect(explored).toBeGreaterThan(10);
    const r = runPipeline({ ...inputs(userOf('u0')), catalog, indexes: idx }, { n: 10, knobs: { exploration: 0.4 } });
    for (const it of r.items.filter((i) => i.itemId.startsWith('new'))) expect(it.reasons.some((x) => x.type === 'exploration')).toBe(true);
  });

  it('exploration converges: items shown often without engagement lose to untested ones', () => {
    const engagement = Object.fromEntries(world.items.slice(0, 120).map((i) => [i.id, { impressions: 1000, engagements: 1 }]));
    const r = runPipeline(inputs(userOf('u0'), { indexes: { ...indexes, engagement } }), { n: 10, knobs: { exploration: 0.8, diversity: 0 } });
    expect(ids(r).filter((id) => Number(id.slice(1)) >= 120).length).toBeGreaterThanOrEqual(5);
  });

  it('the margin objective raises the margin of the list', () => {
    const mean = (r: { items: Array<{ itemId: string }> }) => r.items.reduce((s, i) => s + (world.catalog.byId(i.itemId)?.properties.price as number), 0) / r.items.length;
    const plain = runPipeline(inputs(userOf('u0')), { n: 10 });
    const margin = runPipeline(inputs(userOf('u0')), { n: 10, knobs: { objectives: { relevance: 1, margin: { property: 'price', weight: 1 } } }, explain: true });
    expect(mean(margin)).toBeGreaterThan(mean(plain));
    expect(margin.items[0].explain?.['objective:margin']).toBeGreaterThan(0);
  });
});

describe('runPipeline: context-aware re-ranking', () => {
  const now = Date.UTC(2026, 4, 4);
  const items: CatalogItem[] = ['coffee-a', 'coffee-b', 'coffee-c', 'beer-a', 'beer-b', 'beer-c', 'bread-a', 'bread-b'].map((id, k) => ({ id, index: k, properties: { category: id.split('-')[0] }, available: true }));
  const catalog = memoryCatalog(items);
  const events = [];
  for (let d = 1; d <= 30; d++) {
    for (const it of items) {
      const kind = it.id.split('-')[0];
      // same totals per item; coffee is bought in the morning, beer in the evening (Paris time)
      const hours = kind === 'coffee' ? [6, 7, 8, 19] : kind === 'beer' ? [7, 19, 20, 21] : [8, 12, 16, 19];
      for (const h of hours) events.push({ itemId: it.id, userId: `u${d}`, timestamp: now - d * DAY + (h - 2) * 3_600_000, context: { timezone: 'Europe/Paris' } });
    }
  }
  const idx: PipelineIndexes = { popularity: buildPopularityIndex(events), context: fitContextModel(events, { fields: ['daypart'] }) };
  const at = (utcHour: number) => runPipeline({ catalog, context: { now: now + utcHour * 3_600_000, timezone: 'Europe/Paris' }, indexes: idx }, { n: 8, scenario: scenario({ retrievers: [{ type: 'popular' }], knobs: { ...DEFAULT_KNOBS, context: 1 } }) });

  it('coffee ranks higher in the morning, beer in the evening, when the events say so', () => {
    const morning = at(6); // 08:00 in Paris
    expect(ids(morning).slice(0, 3).every((id) => id.startsWith('coffee'))).toBe(true);
    expect(morning.items[0].reasons.some((r) => r.type === 'context')).toBe(true);
    const evening = at(18); // 20:00 in Paris
    expect(ids(evening).slice(0, 3).every((id) => id.startsWith('beer'))).toBe(true);
  });
});

describe('scenarios: product page, cart, re-rank', () => {
  it('product page: neighbours of the current item, which is never returned', () => {
    const r = runPipeline(inputs(userOf('u1')), { n: 10, itemId: 'i8' });
    expect(r.scenario).toBe('product-page');
    expect(ids(r)).not.toContain('i8');
    expect(r.items[0].reasons.some((x) => x.type === 'similar-to' && x.itemIds?.includes('i8'))).toBe(true);
  });

  it('cart: frequently bought together with the cart items', () => {
    const baskets = [];
    for (let o = 0; o < 10; o++) baskets.push({ orderId: `o${o}`, itemId: 'i100' }, { orderId: `o${o}`, itemId: 'i201' });
    const r = runPipeline(inputs(undefined, { indexes: { ...indexes, associations: buildAssociationIndex(baskets) } }), { n: 5, scenario: 'cart', cart: ['i100'] });
    expect(r.items[0].itemId).toBe('i201');
    expect(r.items[0].reasons[0]).toMatchObject({ type: 'bought-together', itemIds: ['i100'] });
    expect(ids(r)).not.toContain('i100');
  });

  it('re-ranks a caller list: forbidden items dropped, unknown ids kept at the end, user taste first', () => {
    const list = ['zzz-unknown', ...world.items.slice(0, 60).map((i) => i.id), 'yyy-unknown'];
    const r = rerankList(inputs(userOf('u3')), list, { filters: ["item.category != 'c1'"], knobs: { diversity: 0 } });
    const out = ids(r);
    expect(out.slice(-2)).toEqual(['zzz-unknown', 'yyy-unknown']);
    expect(out.some((id) => id !== 'zzz-unknown' && id !== 'yyy-unknown' && cat(id) === 'c1')).toBe(false);
    expect(out.slice(0, 5).filter((id) => cat(id) === 'c3').length).toBeGreaterThanOrEqual(4);
    expect(out.length).toBe(60 - 10 + 2);
  });

  it('rejects an unknown scenario name', () => {
    expect(() => runPipeline(inputs(), { n: 5, scenario: 'nope' })).toThrow(/unknown scenario/);
  });
});

describe('resolveScenario', () => {
  it('finds built-in and user-defined scenarios by own name only', () => {
    expect(resolveScenario({ scenario: 'cart' }).name).toBe('cart');
    const mine = { ...BUILTIN_SCENARIOS.homepage!, name: 'mine' };
    expect(resolveScenario({ scenario: 'mine', scenarios: { mine } })).toBe(mine);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'nope']) {
      expect(() => resolveScenario({ scenario: name, scenarios: { mine } })).toThrow(UnknownScenarioError);
    }
  });
});
