import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Expr, HistoryVerb, Rule } from './ast.ts';
import { compileCondition, compileValue } from './compile.ts';
import type { ItemSchema, RuleEnv, RuleValue } from './env.ts';
import { buildHistoryIndex } from './history.ts';
import { evaluate } from './interpret.ts';
import type { DurationUnit } from './lexer.ts';
import { parseRule } from './parse.ts';
import { printExpr, printRule } from './print.ts';
import type { CatalogItem, PropertyValue, UserProfile } from '../pipeline/types.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 28, 12);
const STRINGS = ['a', 'b', 'shoes', 'i1', 'i2'];
const PROPS = ['price', 'category', 'tags', 'flag', 'launched', 'sizes'];
const schema: ItemSchema = { launched: 'timestamp' };
const span = { start: 0, end: 0 };

// ---------- random expressions ----------

const number = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -20, max: 20 }).map((n) => n / 4));
const literal: fc.Arbitrary<Expr> = fc
  .oneof(number, fc.constantFrom(...STRINGS), fc.boolean(), fc.constant(null))
  .map((value) => ({ kind: 'literal', value, ...span }));
const duration: fc.Arbitrary<Expr> = fc
  .record({ amount: fc.integer({ min: -2, max: 40 }), unit: fc.constantFrom<DurationUnit>('d', 'h', 'w') })
  .map(({ amount, unit }) => ({ kind: 'duration', amount, unit, ...span }));
const path: fc.Arbitrary<Expr> = fc.oneof(
  fc.record({ of: fc.constantFrom<'item' | 'current'>('item', 'current'), name: fc.constantFrom(...PROPS, 'id', 'available', 'createdAt', 'age', 'missing') }).map((p): Expr => ({ kind: 'prop', ...p, ...span })),
  fc.constantFrom('id', 'segment', 'likedCategories', 'missing').map((name): Expr => ({ kind: 'user', name, ...span })),
  fc.constantFrom('device', 'now', 'hourOfDay', 'dayOfWeek', 'missing').map((name): Expr => ({ kind: 'context', name, ...span })),
  fc.constantFrom('ids', 'count', 'category', 'tags', 'launched').map((name): Expr => ({ kind: 'cart', name, ...span })),
  fc.constantFrom('a', 'b', 'c').map((name): Expr => ({ kind: 'param', name, ...span })),
);

const expr: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => {
  const sub = tie('expr');
  return {
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      literal,
      duration,
      path,
      fc.array(fc.oneof(literal, path), { maxLength: 3 }).map((elements): Expr => ({ kind: 'list', elements, ...span })),
      fc
        .record({
          verb: fc.constantFrom<HistoryVerb>('purchased', 'viewed', 'interacted'),
          eventType: fc.option(fc.constantFrom('cart', 'view', 'purchase'), { nil: null }),
          window: fc.option(fc.oneof(duration, sub), { nil: null }),
        })
        .map(({ verb, eventType, window }): Expr => ({ kind: 'history', verb, eventType: verb === 'interacted' ? eventType : null, window, ...span })),
      fc.record({ op: fc.constantFrom<'!' | '-'>('!', '-'), operand: sub }).map((u): Expr => ({ kind: 'unary', ...u, ...span })),
      fc
        .record({
          op: fc.constantFrom('||', '&&', '==', '!=', '<', '<=', '>', '>=', 'in', 'not in', 'contains', 'intersects', '+', '-', '*', '/'),
          left: sub,
          right: sub,
        })
        .map((b): Expr => ({ kind: 'binary', ...b, ...span })),
    ),
  };
}).expr;

/** Names that need ['…'] in print, and strings that need escapes. */
const oddName = fc.string({ maxLength: 6 });
const exprWithOddNames: fc.Arbitrary<Expr> = fc.oneof(
  expr,
  fc.record({ of: fc.constantFrom<'item' | 'current'>('item', 'current'), name: oddName }).map((p): Expr => ({ kind: 'prop', ...p, ...span })),
  fc.constantFrom('purchased', 'viewed', 'interacted', 'x y', 'in').map((name): Expr => ({ kind: 'user', name, ...span })),
  fc.constantFrom('item', 'cart', '-').map((name): Expr => ({ kind: 'context', name, ...span })),
  fc.string({ maxLength: 8 }).map((value): Expr => ({ kind: 'literal', value, ...span })),
);

const rule: fc.Arbitrary<Rule> = fc.oneof(
  expr,
  fc.record({ factor: expr, condition: fc.option(expr, { nil: null }) }).map((r): Rule => ({ kind: 'boost', ...r, ...span })),
);

function stripSpans(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(stripSpans);
  if (x !== null && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) if (k !== 'start' && k !== 'end') out[k] = stripSpans(v);
    return out;
  }
  return x;
}

// ---------- random environments ----------

const propertyValue: fc.Arbitrary<PropertyValue | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: -3, max: 60 }),
  fc.constantFrom(...STRINGS),
  fc.boolean(),
  fc.array(fc.constantFrom(...STRINGS), { maxLength: 3 }),
  fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
  fc.integer({ min: 0, max: 40 }).map((d) => new Date(NOW - d * DAY).toISOString()),
);
const catalogItem: fc.Arbitrary<CatalogItem> = fc
  .record({
    id: fc.constantFrom('i1', 'i2', 'i3'),
    available: fc.boolean(),
    createdAt: fc.option(fc.integer({ min: 0, max: 40 }).map((d) => NOW - d * DAY), { nil: undefined }),
    values: fc.array(propertyValue, { minLength: PROPS.length, maxLength: PROPS.length }),
  })
  .map(({ id, available, createdAt, values }) => {
    const properties: Record<string, PropertyValue> = {};
    PROPS.forEach((p, k) => {
      if (values[k] !== undefined) properties[p] = values[k] as PropertyValue;
    });
    return { id, index: 0, available, properties, ...(createdAt === undefined ? {} : { createdAt }) };
  });
const user: fc.Arbitrary<UserProfile> = fc
  .record({
    segment: propertyValue,
    liked: fc.option(fc.array(fc.constantFrom(...STRINGS), { maxLength: 3 }), { nil: undefined }),
    history: fc.array(
      fc.record({ itemId: fc.constantFrom('i1', 'i2', 'i3'), type: fc.constantFrom('view', 'purchase', 'cart'), timestamp: fc.integer({ min: 0, max: 60 }).map((d) => NOW - d * DAY) }),
      { maxLength: 6 },
    ),
  })
  .map(({ segment, liked, history }): UserProfile => ({
    id: 'u1',
    index: 0,
    attributes: segment === undefined ? {} : { segment },
    preferences: liked ? { likedCategories: liked } : {},
    history,
  }));
const env: fc.Arbitrary<RuleEnv> = fc
  .record({
    item: catalogItem,
    user: fc.option(user, { nil: undefined }),
    current: fc.option(catalogItem, { nil: undefined }),
    cart: fc.option(fc.array(catalogItem, { maxLength: 3 }), { nil: undefined }),
    device: fc.option(fc.constantFrom('mobile', 'a'), { nil: undefined }),
    params: fc.record({ a: propertyValue, b: propertyValue, c: fc.integer({ min: 0, max: 40 }).map((d) => d * DAY) }),
  })
  .map(({ item, user, current, cart, device, params }) => ({
    item,
    user,
    context: { now: NOW, ...(device ? { device } : {}), ...(current ? { item: current } : {}), ...(cart ? { cart } : {}) },
    params,
    history: buildHistoryIndex(user, NOW),
  }));

/** Collections compare as sorted distinct elements: the compiler may answer with a Set. */
function normalize(v: unknown): unknown {
  if (v instanceof Set || Array.isArray(v)) {
    const elements = [...(v as Iterable<unknown>)].map((x) => JSON.stringify(normalize(x)) ?? 'undefined');
    return { collection: [...new Set(elements)].sort() };
  }
  return v;
}

// ---------- properties ----------

describe('properties', () => {
  it('printing a random rule and parsing it back gives the same tree', () => {
    fc.assert(
      fc.property(rule, (r) => {
        expect(stripSpans(parseRule(printRule(r)))).toEqual(stripSpans(r));
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips odd property names and strings through quoting', () => {
    fc.assert(
      fc.property(exprWithOddNames, (e) => {
        expect(stripSpans(parseRule(printExpr(e)))).toEqual(stripSpans(e));
      }),
      { numRuns: 1000 },
    );
  });

  it('compiled closures agree with the tree-walking reference interpreter', () => {
    fc.assert(
      fc.property(expr, env, (e, environment) => {
        expect(normalize(compileValue(e, schema)(environment) satisfies RuleValue)).toEqual(normalize(evaluate(e, environment, schema)));
        expect(compileCondition(e, schema)(environment)).toBe(evaluate(e, environment, schema) === true);
      }),
      { numRuns: 3000 },
    );
  });

  it('a && b is !(!a || !b), and a != b is !(a == b)', () => {
    fc.assert(
      fc.property(expr, expr, env, (a, b, environment) => {
        const and = compileCondition({ kind: 'binary', op: '&&', left: a, right: b, ...span });
        const not = (x: Expr): Expr => ({ kind: 'unary', op: '!', operand: x, ...span });
        const deMorgan = compileCondition(not({ kind: 'binary', op: '||', left: not(a), right: not(b), ...span }));
        expect(and(environment)).toBe(deMorgan(environment));
        const ne = compileCondition({ kind: 'binary', op: '!=', left: a, right: b, ...span });
        const eq = compileCondition({ kind: 'binary', op: '==', left: a, right: b, ...span });
        expect(ne(environment)).toBe(!eq(environment));
      }),
      { numRuns: 1000 },
    );
  });
});
