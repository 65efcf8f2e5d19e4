import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildAssociationIndex,
  buildContentIndex,
  buildNewArrivalsIndex,
  buildPopularityIndex,
  buildTrendingIndex,
  fitContextModel,
  REASON_TYPES,
  runPipeline,
  validateRule,
  type PipelineIndexes,
  type PipelineInputs,
  type Reason,
  type Scenario,
  type UserProfile,
} from '@attune/engine';
import { BUILTIN_SCENARIOS, DEFAULT_KNOBS } from '@attune/engine';
import { profile, syntheticWorld } from '@attune/engine/pipeline/testFixtures';
import { KNOB_QUERY, knobsFromBody, knobsFromQuery } from '../../src/routes/knobParams.ts';

/**
 * docs/recommendations.md against the code: every reason type in the Reasons table has an
 * example the pipeline really produces (same type, same text up to the item ids and values),
 * every reason type the code knows is documented, and every rule in the Rules table is valid
 * in the form the table says.
 */
const DOC = readFileSync(new URL('../../../../docs/recommendations.md', import.meta.url), 'utf8');

/** The rows of the markdown table that follows `heading` (first cell → the other cells). */
function tableAfter(heading: string): string[][] {
  const start = DOC.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of DOC.slice(start).split('\n').slice(1)) {
    if (line.startsWith('|')) {
      inTable = true;
      // split on | not inside backticks
      const cells = line
        .slice(1, -1)
        .split(/\|(?=(?:[^`]*`[^`]*`)*[^`]*$)/)
        .map((c) => c.trim());
      if (!/^-+$/.test(cells[0]?.replace(/[: ]/g, '') ?? '') && cells[0] !== 'construct' && cells[0] !== '`type`') rows.push(cells);
    } else if (inTable) break;
  }
  return rows;
}

const code = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

describe('docs/recommendations.md: rules', () => {
  const rows = tableAfter('Each construct below is shown as a rule');
  it('the table has every construct', () => {
    expect(rows.map((r) => r[0])).toEqual(expect.arrayContaining(['item property', 'durations', 'history', 'parameters', 'boost', 'score term', 'cart', 'current item']));
  });
  for (const [construct, examples] of rows) {
    it(`${construct}: every example is a valid rule`, () => {
      const rules = code(examples as string).map((src) => (construct === 'durations' ? `item.age < ${src}` : construct === 'comparison' ? `item.price ${src} 10` : src));
      expect(rules.length).toBeGreaterThan(0);
      for (const src of rules) {
        const form = construct === 'boost' || construct === 'score term' || src.startsWith('boost ') ? 'boost' : 'filter';
        const v = validateRule(src, form);
        expect(v.ok ? 'ok' : v.error.message, `${construct}: ${src}`).toBe('ok');
        if (construct === 'boost' && v.ok) expect(v.form).toBe('boost');
        if (construct === 'score term' && v.ok) expect(v.form).toBe('score');
      }
    });
  }
});

describe('docs/recommendations.md: reasons', () => {
  const rows = tableAfter('## Reasons');
  const documented = new Map(rows.map((r) => [code(r[0] as string)[0] as string, code(r[2] as string).map((j) => JSON.parse(j) as Reason)]));

  it('documents exactly the reason types the code has', () => {
    expect([...documented.keys()].sort()).toEqual([...REASON_TYPES].sort());
  });

  // one synthetic shop with every index, and requests that between them produce every reason
  const world = syntheticWorld();
  const cat = (id: string) => world.catalog.byId(id)?.properties.category as string;
  const interactions = world.data.interactions.map((e, k) => ({ ...e, orderId: `o${Math.floor(k / 3)}`, type: 'purchase' }));
  const morning = Date.UTC(2026, 0, 5, 8);
  const indexes: PipelineIndexes = {
    popularity: buildPopularityIndex(world.data.interactions, { segmentsOf: (u) => [`country=${Number(u.slice(1)) % 2 === 0 ? 'DE' : 'US'}`], categoriesOf: (id) => [cat(id)] }),
    trending: buildTrendingIndex(world.data.interactions.map((e) => ({ itemId: e.itemId, timestamp: e.timestamp ?? 0 })), { now: world.now }),
    associations: buildAssociationIndex(interactions, { minSupport: 1 }),
    content: buildContentIndex(world.items, { categorical: ['category', 'brand'], text: ['title'] }),
    newArrivals: buildNewArrivalsIndex(world.items.map((it, k) => (k < 5 ? { ...it, createdAt: world.now - 86_400_000 } : it))),
    context: fitContextModel(
      // planted: the first 40 items are looked at on phones, the next 40 on desktops
      world.items.slice(0, 80).flatMap((it, k) => Array.from({ length: 30 }, () => ({ itemId: it.id, type: 'view', timestamp: morning, context: { device: k < 40 ? 'mobile' : 'desktop' } }))),
      { fields: ['device'] },
    ),
  };
  const newItems = world.items.map((it, k) => (k < 5 ? { ...it, createdAt: world.now - 86_400_000 } : it));
  const inputs = (user?: UserProfile, extra: Partial<PipelineInputs> = {}): PipelineInputs => ({ model: world.model, catalog: world.catalog, ...(user ? { user } : {}), context: { now: world.now, country: 'DE', device: 'mobile' }, indexes, ...extra });
  const warm = profile('u0', world.historyOf('u0'));
  const scenario = (over: Partial<Scenario>): Scenario => ({ ...BUILTIN_SCENARIOS.homepage, name: 'doc', ...over, knobs: { ...DEFAULT_KNOBS, ...(over.knobs ?? {}) } });
  const produced: Reason[] = [];
  const collect = (r: { items: Array<{ reasons: Reason[] }> }) => r.items.forEach((i) => produced.push(...i.reasons));
  collect(runPipeline(inputs(warm), { n: 20, knobs: { context: 3 } }));
  collect(runPipeline(inputs(warm), { n: 20, itemId: 'i12' }));
  collect(runPipeline(inputs(warm), { n: 20, scenario: 'cart', cart: ['i3'] }));
  collect(runPipeline(inputs(warm), { n: 20, scenario: scenario({ retrievers: [{ type: 'recently-viewed' }, { type: 'content' }, { type: 'new-arrivals' }, { type: 'popular' }], promotions: [{ type: 'pin', itemId: 'i7', slot: 0, label: 'Deal of the day' }] }) }));
  collect(runPipeline(inputs(profile('new', [], { preferences: { likedCategories: ['c2'], likedItems: ['i4'] } })), { n: 20 }));
  collect(runPipeline(inputs(profile('new', [], { attributes: { country: 'DE' } })), { n: 20, knobs: { minRelevance: 1.01 } }));
  collect(runPipeline(inputs(warm), { n: 20, knobs: { minRelevance: 1.01, fallbacks: ['popular'] } }));
  collect(runPipeline({ ...inputs(warm), catalog: { ...world.catalog, all: () => newItems, byId: (id) => newItems.find((i) => i.id === id) } }, { n: 20, knobs: { exploration: 1 } }));
  collect(runPipeline(inputs(warm), { n: 5, candidates: ['i3', 'not-in-catalogue'] }));

  /** A documented text with its item ids, segment and category values made wildcards. */
  const pattern = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\b(i\d+|c\d+|country=[A-Z]+|all)\b/g, '.+')}$`);

  for (const type of REASON_TYPES) {
    it(`${type}: the documented example is what the pipeline says`, () => {
      const examples = documented.get(type) ?? [];
      expect(examples.length, type).toBeGreaterThan(0);
      const real = produced.filter((r) => r.type === type);
      expect(real.length, `no ${type} reason produced`).toBeGreaterThan(0);
      for (const ex of examples) {
        const p = pattern(ex.text);
        const match = real.find((r) => p.test(r.text));
        expect(match, `${type}: "${ex.text}" not among ${JSON.stringify([...new Set(real.map((r) => r.text))])}`).toBeDefined();
        // the same fields: itemIds when documented, value when documented
        expect(match?.itemIds !== undefined, `${type} itemIds`).toBe(ex.itemIds !== undefined);
        expect(match?.value !== undefined, `${type} value`).toBe(ex.value !== undefined);
      }
    });
  }
});

describe('docs/recommendations.md: knobs', () => {
  const rows = tableAfter('| knob (query name) |');
  it('documents every query knob', () => {
    const names = rows.flatMap((r) => code(r[0] as string));
    for (const q of KNOB_QUERY) expect(names, q).toContain(q);
  });
  it('every knob\'s example is accepted as written, as a query or in a body', () => {
    for (const row of rows) {
      const examples = code(row[4] ?? '');
      if (code(row[0] as string).length === 0) continue;
      expect(examples.length, row[0]).toBeGreaterThan(0);
      for (const ex of examples) {
        if (ex.startsWith('?')) {
          const query = Object.fromEntries(new URLSearchParams(ex.slice(1)));
          for (const k of Object.keys(query)) expect(KNOB_QUERY, ex).toContain(k);
          expect(knobsFromQuery(query), ex).toBeDefined();
        } else {
          const body = JSON.parse(`{${ex}}`) as { knobs: unknown };
          expect(Object.keys(knobsFromBody(body.knobs, '$.knobs')).length, ex).toBeGreaterThan(0);
        }
      }
    }
  });
  for (const [cell, range] of rows) {
    const name = code(cell as string)[0] as string;
    const m = /^(\d[\d,]*)–(\d[\d,.]*)/.exec(range as string);
    if (!m || !KNOB_QUERY.includes(name)) continue;
    const [lo, hi] = [Number((m[1] as string).replace(/,/g, '')), Number((m[2] as string).replace(/,/g, ''))];
    it(`${name}: the documented range ${lo}–${hi} is the accepted one`, () => {
      expect(() => knobsFromQuery({ [name]: String(lo) })).not.toThrow();
      expect(() => knobsFromQuery({ [name]: String(hi) })).not.toThrow();
      expect(() => knobsFromQuery({ [name]: String(hi + 1) })).toThrow(`$.${name}: expected a value in`);
      if (lo > 0) expect(() => knobsFromQuery({ [name]: String(lo - 1) })).toThrow(`$.${name}`);
    });
  }
});
