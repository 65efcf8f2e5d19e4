import { DEFAULT_KNOBS, FALLBACK_TYPES, RETRIEVER_TYPES, type Knobs, type Promotion, type Scenario } from './scenario.ts';

export interface ScenarioError {
  /** where the problem is, e.g. "knobs.diversity" or "retrievers[2].type" */
  path: string;
  message: string;
}

export type ScenarioValidation = { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioError[] };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects errors with paths while reading an unknown value, filling defaults. */
class Reader {
  readonly errors: ScenarioError[] = [];
  err(path: string, message: string): void {
    this.errors.push({ path, message });
  }
  str(o: Obj, key: string, path: string, fallback?: string): string {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'string' || v.length === 0) {
      this.err(path + key, 'expected a non-empty string');
      return fallback ?? '';
    }
    return v;
  }
  num(o: Obj, key: string, path: string, fallback: number | undefined, min: number, max: number, integer = false): number {
    const v = o[key];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      this.err(path + key, `expected ${integer ? 'an integer' : 'a number'}`);
      return fallback ?? min;
    }
    if (v < min || v > max) this.err(path + key, `expected a value in [${min}, ${max}], got ${v}`);
    return v;
  }
  list(o: Obj, key: string, path: string): unknown[] {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.err(path + key, 'expected an array');
      return [];
    }
    return v;
  }
  strings(o: Obj, key: string, path: string): string[] {
    return this.list(o, key, path).map((s, k) => {
      if (typeof s !== 'string' || s.length === 0) this.err(`${path}${key}[${k}]`, 'expected a non-empty string');
      return String(s);
    });
  }
}

function readKnobs(r: Reader, v: unknown, path: string, base: Knobs): Knobs {
  if (v === undefined) return base;
  if (!isObj(v)) {
    r.err(path.slice(0, -1), 'expected an object');
    return base;
  }
  const fallbacks = v.fallbacks === undefined ? base.fallbacks : r.strings(v, 'fallbacks', path);
  fallbacks.forEach((f, k) => {
    if (!(FALLBACK_TYPES as readonly string[]).includes(f)) r.err(`${path}fallbacks[${k}]`, `unknown fallback "${f}"; expected one of ${FALLBACK_TYPES.join(', ')}`);
  });
  let objectives = base.objectives;
  if (v.objectives !== undefined) {
    const o = v.objectives;
    const p = `${path}objectives.`;
    if (!isObj(o)) r.err(p.slice(0, -1), 'expected an object');
    else {
      objectives = { relevance: r.num(o, 'relevance', p, 1, 0, 100) };
      if (o.novelty !== undefined) objectives.novelty = r.num(o, 'novelty', p, undefined, 0, 100);
      if (o.freshness !== undefined) objectives.freshness = r.num(o, 'freshness', p, undefined, 0, 100);
      if (o.freshnessDays !== undefined) objectives.freshnessDays = r.num(o, 'freshnessDays', p, undefined, 0.001, 1e6);
      if (o.margin !== undefined) {
        if (!isObj(o.margin)) r.err(`${p}margin`, 'expected { property, weight }');
        else objectives.margin = { property: r.str(o.margin, 'property', `${p}margin.`), weight: r.num(o.margin, 'weight', `${p}margin.`, undefined, 0, 100) };
      }
    }
  }
  const knobs: Knobs = {
    diversity: r.num(v, 'diversity', path, base.diversity, 0, 1),
    exploration: r.num(v, 'exploration', path, base.exploration, 0, 1),
    newItemDays: r.num(v, 'newItemDays', path, base.newItemDays, 0, 1e5),
    rotation: r.num(v, 'rotation', path, base.rotation, 0, 1),
    rotationHours: r.num(v, 'rotationHours', path, base.rotationHours, 0, 1e6),
    minRelevance: r.num(v, 'minRelevance', path, base.minRelevance, 0, 100),
    fallbacks: fallbacks as Knobs['fallbacks'],
    objectives,
    context: r.num(v, 'context', path, base.context, 0, 10),
    candidates: r.num(v, 'candidates', path, base.candidates, 1, 10_000, true),
  };
  if (v.diversityProperties !== undefined) knobs.diversityProperties = r.strings(v, 'diversityProperties', path);
  else if (base.diversityProperties) knobs.diversityProperties = base.diversityProperties;
  return knobs;
}

/** Validates request-level knob overrides (every field optional). */
export function validateKnobs(input: unknown): { ok: true; knobs: Partial<Knobs> } | { ok: false; errors: ScenarioError[] } {
  const r = new Reader();
  if (!isObj(input)) return { ok: false, errors: [{ path: '', message: 'expected an object' }] };
  const full = readKnobs(r, input, '', DEFAULT_KNOBS);
  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  const knobs = Object.fromEntries(Object.keys(input).filter((k) => k in full).map((k) => [k, full[k as keyof Knobs]])) as Partial<Knobs>;
  return { ok: true, knobs };
}

/**
 * Validates a scenario given as unknown JSON. Missing optional fields take the defaults (or
 * those of `base`, e.g. a built-in scenario it extends); every error names its path.
 */
export function validateScenario(input: unknown, base?: Scenario): ScenarioValidation {
  const r = new Reader();
  if (!isObj(input)) return { ok: false, errors: [{ path: '', message: 'expected an object' }] };
  const name = r.str(input, 'name', '', base?.name);
  if (name && !/^[a-z0-9][a-z0-9_-]*$/i.test(name)) r.err('name', 'use letters, digits, "-" and "_"');
  const retrievers = input.retrievers === undefined && base ? base.retrievers : r.list(input, 'retrievers', '').map((x, k) => {
    const p = `retrievers[${k}].`;
    if (!isObj(x)) {
      r.err(p.slice(0, -1), 'expected an object');
      return { type: 'popular' as const };
    }
    const type = r.str(x, 'type', p);
    if (!(RETRIEVER_TYPES as readonly string[]).includes(type)) r.err(`${p}type`, `unknown retriever "${type}"; expected one of ${RETRIEVER_TYPES.join(', ')}`);
    const spec: Scenario['retrievers'][number] = { type: type as Scenario['retrievers'][number]['type'] };
    if (x.n !== undefined) spec.n = r.num(x, 'n', p, undefined, 1, 10_000, true);
    if (x.weight !== undefined) spec.weight = r.num(x, 'weight', p, undefined, 0, 100);
    return spec;
  });
  const filters = input.filters === undefined && base ? base.filters : r.strings(input, 'filters', '');
  const boosts = input.boosts === undefined && base ? base.boosts : r.list(input, 'boosts', '').map((x, k) => {
    const p = `boosts[${k}].`;
    if (!isObj(x)) {
      r.err(p.slice(0, -1), 'expected { rule, weight }');
      return { rule: '', weight: 0 };
    }
    return { rule: r.str(x, 'rule', p), weight: r.num(x, 'weight', p, 1, -100, 100) };
  });
  const promotions = input.promotions === undefined && base ? base.promotions : r.list(input, 'promotions', '').map((x, k): Promotion => {
    const p = `promotions[${k}].`;
    if (!isObj(x)) {
      r.err(p.slice(0, -1), 'expected an object');
      return { type: 'pin', itemId: '', slot: 0 };
    }
    const label = x.label === undefined ? undefined : r.str(x, 'label', p);
    if (x.type === 'pin') return { type: 'pin', itemId: r.str(x, 'itemId', p), slot: r.num(x, 'slot', p, undefined, 0, 10_000, true), ...(label ? { label } : {}) };
    if (x.type === 'rule') return { type: 'rule', rule: r.str(x, 'rule', p), share: r.num(x, 'share', p, undefined, 0, 1), ...(label ? { label } : {}) };
    r.err(`${p}type`, 'expected "pin" or "rule"');
    return { type: 'pin', itemId: '', slot: 0 };
  });
  const caps = input.caps === undefined && base ? base.caps : r.list(input, 'caps', '').map((x, k) => {
    const p = `caps[${k}].`;
    if (!isObj(x)) {
      r.err(p.slice(0, -1), 'expected { property, max }');
      return { property: '', max: 0 };
    }
    return { property: r.str(x, 'property', p), max: r.num(x, 'max', p, undefined, 0, 10_000, true) };
  });
  const knobs = readKnobs(r, input.knobs, 'knobs.', base?.knobs ?? DEFAULT_KNOBS);
  let excludeSeen = base?.excludeSeen ?? true;
  if (input.excludeSeen !== undefined) {
    if (typeof input.excludeSeen !== 'boolean') r.err('excludeSeen', 'expected a boolean');
    else excludeSeen = input.excludeSeen;
  }
  const scenario: Scenario = {
    name,
    retrievers,
    filters,
    boosts,
    promotions,
    caps,
    knobs,
    excludeSeen,
    categoryProperty: r.str(input, 'categoryProperty', '', base?.categoryProperty ?? 'category'),
    segmentBy: input.segmentBy === undefined ? (base?.segmentBy ?? []) : r.strings(input, 'segmentBy', ''),
  };
  const description = input.description === undefined ? base?.description : r.str(input, 'description', '');
  if (description !== undefined) scenario.description = description;
  if (r.errors.length > 0) return { ok: false, errors: r.errors };
  return { ok: true, scenario };
}
