import { VERB_EVENT_TYPE, type Expr, type Rule } from './ast.ts';
import { DURATION_MS } from './lexer.ts';
import { calendarField, toRuleValue, toTimestamp, type ItemSchema, type RuleEnv, type RuleValue } from './env.ts';
import type { CatalogItem } from '../pipeline/types.ts';
import { ownValue } from '../data/ownValue.ts';

/**
 * The reference semantics: a plain tree walk, written for clarity rather than speed. The
 * compiler (compile.ts) must agree with it on every rule and environment; the property tests
 * check exactly that. Handy for explaining a single decision, too slow for the pipeline.
 *
 * Semantics in one place:
 * - a missing property, attribute, field or parameter is null;
 * - a condition holds only when its value is exactly `true`;
 * - `==` is strict (no coercion); any comparison involving null is false except `x == null`;
 *   `!=` and `not in` are the negations of `==` and `in`;
 * - `<` `<=` `>` `>=` hold only between two numbers or two strings;
 * - arithmetic on non-numbers, or with a non-finite result, is null.
 */
export function evaluateRule(rule: Rule, env: RuleEnv, schema?: ItemSchema): RuleValue {
  if (rule.kind === 'boost') {
    if (rule.condition !== null && evaluate(rule.condition, env, schema) !== true) return 1;
    const f = evaluate(rule.factor, env, schema);
    return typeof f === 'number' && Number.isFinite(f) ? f : 1;
  }
  return evaluate(rule, env, schema);
}

export function evaluate(e: Expr, env: RuleEnv, schema?: ItemSchema): RuleValue {
  const ev = (x: Expr): RuleValue => evaluate(x, env, schema);
  switch (e.kind) {
    case 'literal':
      return e.value;
    case 'duration':
      return e.amount * DURATION_MS[e.unit];
    case 'list':
      return e.elements.map(ev);
    case 'prop': {
      const item = e.of === 'item' ? env.item : env.context.item;
      return item ? itemProperty(item, e.name, env.context.now, schema) : null;
    }
    case 'user': {
      const user = env.user;
      if (!user) return null;
      if (e.name === 'id') return user.id;
      if (e.name === 'likedCategories' || e.name === 'likedItems' || e.name === 'dislikedItems' || e.name === 'hiddenCategories') {
        return user.preferences[e.name] ?? null;
      }
      return toRuleValue(ownValue(user.attributes, e.name));
    }
    case 'context':
      if (e.name === 'hourOfDay' || e.name === 'dayOfWeek') return calendarField(env.context, e.name);
      return toRuleValue(ownValue(env.context, e.name));
    case 'cart': {
      const cart = env.context.cart ?? [];
      if (e.name === 'count') return cart.length;
      const out: unknown[] = [];
      for (const it of cart) {
        const v = e.name === 'ids' ? it.id : itemProperty(it, e.name, env.context.now, schema);
        if (Array.isArray(v)) out.push(...(v as unknown[]));
        else if (v !== null) out.push(v);
      }
      return out;
    }
    case 'param':
      return toRuleValue(ownValue(env.params, e.name));
    case 'history': {
      const w = e.window === null ? Infinity : ev(e.window);
      if (typeof w !== 'number') return [];
      return [...env.history.itemIds(e.eventType ?? VERB_EVENT_TYPE[e.verb], w)];
    }
    case 'unary': {
      const v = ev(e.operand);
      if (e.op === '!') return v !== true;
      return typeof v === 'number' ? -v : null;
    }
    case 'binary': {
      switch (e.op) {
        case '&&':
          return ev(e.left) === true && ev(e.right) === true;
        case '||':
          return ev(e.left) === true || ev(e.right) === true;
        case '==':
          return equal(ev(e.left), ev(e.right));
        case '!=':
          return !equal(ev(e.left), ev(e.right));
        case '<':
        case '<=':
        case '>':
        case '>=':
          return ordered(e.op, ev(e.left), ev(e.right));
        case 'in':
          return member(ev(e.right), ev(e.left));
        case 'not in':
          return !member(ev(e.right), ev(e.left));
        case 'contains':
          return member(ev(e.left), ev(e.right));
        case 'intersects': {
          const a = elements(ev(e.left));
          const b = elements(ev(e.right));
          return a !== null && b !== null && a.some((x) => b.includes(x));
        }
        default: {
          const a = ev(e.left);
          const b = ev(e.right);
          if (typeof a !== 'number' || typeof b !== 'number') return null;
          const r = e.op === '+' ? a + b : e.op === '-' ? a - b : e.op === '*' ? a * b : a / b;
          return Number.isFinite(r) ? r : null;
        }
      }
    }
  }
}

function itemProperty(item: CatalogItem, name: string, now: number, schema?: ItemSchema): RuleValue {
  switch (name) {
    case 'id':
      return item.id;
    case 'available':
      return item.available;
    case 'createdAt':
      return item.createdAt ?? null;
    case 'age':
      return item.createdAt === undefined ? null : now - item.createdAt;
  }
  const v = ownValue(item.properties, name);
  if (schema && ownValue(schema, name) === 'timestamp') return toTimestamp(v);
  return toRuleValue(v);
}

function equal(a: RuleValue, b: RuleValue): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'object' || typeof b === 'object') return false;
  return a === b;
}

function ordered(op: '<' | '<=' | '>' | '>=', a: RuleValue, b: RuleValue): boolean {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}

function elements(v: RuleValue): unknown[] | null {
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  return null;
}

function member(collection: RuleValue, x: RuleValue): boolean {
  if (x === null || typeof x === 'object') return false;
  const xs = elements(collection);
  return xs !== null && xs.includes(x);
}
