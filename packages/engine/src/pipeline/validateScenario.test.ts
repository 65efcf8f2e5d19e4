import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOBS, mergeKnobs } from './scenario.ts';
import { BUILTIN_SCENARIOS } from './scenarios.ts';
import { validateKnobs, validateScenario } from './validateScenario.ts';

describe('validateScenario', () => {
  it('accepts every built-in scenario as it is', () => {
    for (const s of Object.values(BUILTIN_SCENARIOS)) expect(validateScenario(JSON.parse(JSON.stringify(s)))).toEqual({ ok: true, scenario: s });
  });

  it('fills defaults for a minimal user-defined scenario', () => {
    const r = validateScenario({ name: 'weekend-deals', retrievers: [{ type: 'trending' }], filters: ["item.category == 'deals'"] });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.scenario.knobs).toEqual(DEFAULT_KNOBS);
      expect(r.scenario.caps).toEqual([]);
      expect(r.scenario.excludeSeen).toBe(true);
    }
  });

  it('reports every error with its path', () => {
    const r = validateScenario({
      name: 'bad name!',
      retrievers: [{ type: 'trending' }, { type: 'magic', n: 0 }],
      promotions: [{ type: 'pin', itemId: 'x', slot: -1 }, { type: 'rule', rule: 'item.x', share: 2 }, { type: 'banner' }],
      caps: [{ property: 'brand' }],
      knobs: { diversity: 1.5, fallbacks: ['nowhere'], objectives: { margin: { property: 'margin' } } },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const paths = r.errors.map((e) => e.path);
      expect(paths).toEqual(
        expect.arrayContaining(['name', 'retrievers[1].type', 'retrievers[1].n', 'promotions[0].slot', 'promotions[1].share', 'promotions[2].type', 'caps[0].max', 'knobs.diversity', 'knobs.fallbacks[0]', 'knobs.objectives.margin.weight']),
      );
      for (const e of r.errors) expect(e.message.length).toBeGreaterThan(0);
    }
  });

  it('extends a base scenario', () => {
    const r = validateScenario({ knobs: { diversity: 0.8 } }, BUILTIN_SCENARIOS.homepage);
    expect(r.ok && r.scenario.retrievers).toEqual(BUILTIN_SCENARIOS.homepage.retrievers);
    expect(r.ok && r.scenario.knobs.diversity).toBe(0.8);
    expect(r.ok && r.scenario.knobs.rotation).toBe(BUILTIN_SCENARIOS.homepage.knobs.rotation);
  });
});

describe('knobs', () => {
  it('request knobs override the scenario, objectives merge field by field', () => {
    const s = { knobs: { ...DEFAULT_KNOBS, diversity: 0.3, objectives: { relevance: 1, freshness: 0.2 } } };
    const k = mergeKnobs(s, { diversity: 0.7, exploration: undefined, objectives: { relevance: 1, novelty: 0.5 } });
    expect(k.diversity).toBe(0.7);
    expect(k.exploration).toBe(0);
    expect(k.objectives).toEqual({ relevance: 1, freshness: 0.2, novelty: 0.5 });
  });

  it('validates request knobs and keeps only the given ones', () => {
    expect(validateKnobs({ diversity: 0.2 })).toEqual({ ok: true, knobs: { diversity: 0.2 } });
    const bad = validateKnobs({ exploration: -1 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors[0].path).toBe('exploration');
  });
});
