import { VERB_EVENT_TYPE, type BinaryOp, type Expr, type Rule } from './ast.ts';
import { calendarField, toRuleValue, toTimestamp, type ItemSchema, type RuleEnv, type RuleValue } from './env.ts';
import type { HistoryIndex } from './history.ts';
import { DURATION_MS } from './lexer.ts';
import { parseRule } from './parse.ts';
import { checkRule, type RuleForm } from './typecheck.ts';
import type { CatalogItem } from '../pipeline/types.ts';
import { ownValue } from '../data/ownValue.ts';

/**
 * Rules compile once into trees of closures: evaluating a candidate runs no parser, walks no
 * AST and allocates nothing on the common paths. Constant subtrees are folded, constant lists
 * become Sets, comparisons against a literal get specialised closures, and history sets and
 * cart sets are fetched once per request (cached on the identity of `env.history` / the cart).
 * Semantics are those of the reference interpreter (interpret.ts); property tests hold them equal.
 */

export type RuleFilter = (env: RuleEnv) => boolean;

/** A compiled booster; `form` says how the pipeline should use the number. */
export interface RuleBooster {
  (env: RuleEnv): number;
  /**
   * 'boost': a multiplier for the score (`boost f if c`; 1 when c is false or f is not a finite number);
   * 'score': a score term to add (a plain numeric expression; 0 when not a finite number).
   */
  readonly form: Exclude<RuleForm, 'filter'>;
}

/** Parse, type-check and compile a filter. Throws RuleSyntaxError / RuleTypeError. */
export function compileFilter(source: string, schema?: ItemSchema): RuleFilter {
  const rule = parseRule(source);
  checkRule(rule, source, 'filter', schema);
  // checkRule rejects boost rules in filters, so `rule` is an expression here.
  return new Compiler(schema).cond(rule as Expr);
}

/** Parse, type-check and compile a booster or score term. Throws RuleSyntaxError / RuleTypeError. */
export function compileBoost(source: string, schema?: ItemSchema): RuleBooster {
  const rule = parseRule(source);
  checkRule(rule, source, 'boost', schema);
  const c = new Compiler(schema);
  if (rule.kind === 'boost') return Object.assign(c.boost(rule), { form: 'boost' as const });
  return Object.assign(c.score(rule), { form: 'score' as const });
}

type Fn = (env: RuleEnv) => RuleValue;
type Pred = (env: RuleEnv) => boolean;

const EMPTY: ReadonlySet<string> = new Set<string>();
// Constant closures never read their argument, so folding may call them without an environment.
const NO_ENV = undefined as unknown as RuleEnv;
const NOT_YET = Symbol('not yet');

class Compiler {
  constructor(private readonly schema: ItemSchema | undefined) {}

  boost(rule: Rule & { kind: 'boost' }): (env: RuleEnv) => number {
    const when = rule.condition ? this.cond(rule.condition) : () => true;
    if (isConstant(rule.factor)) {
      const f = finiteOr(this.value(rule.factor)(NO_ENV), 1);
      return (env) => (when(env) ? f : 1);
    }
    const factor = this.value(rule.factor);
    return (env) => (when(env) ? finiteOr(factor(env), 1) : 1);
  }

  score(e: Expr): (env: RuleEnv) => number {
    const f = this.value(e);
    return (env) => finiteOr(f(env), 0);
  }

  cond(e: Expr): Pred {
    if (isConstant(e)) {
      const v = this.condRaw(e)(NO_ENV);
      return () => v;
    }
    return this.condRaw(e);
  }

  private condRaw(e: Expr): Pred {
    if (e.kind === 'unary' && e.op === '!') {
      const p = this.cond(e.operand);
      return (env) => !p(env);
    }
    if (e.kind !== 'binary') {
      const f = this.value(e);
      return (env) => f(env) === true;
    }
    const { op, left, right } = e;
    switch (op) {
      case '&&': {
        const a = this.cond(left);
        const b = this.cond(right);
        return (env) => a(env) && b(env);
      }
      case '||': {
        const a = this.cond(left);
        const b = this.cond(right);
        return (env) => a(env) || b(env);
      }
      case '==':
      case '!=': {
        const p = this.equality(left, right);
        return op === '==' ? p : (env) => !p(env);
      }
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.ordered(op, left, right);
      case 'in':
      case 'not in': {
        const p = this.membership(right, left);
        return op === 'in' ? p : (env) => !p(env);
      }
      case 'contains':
        return this.membership(left, right);
      case 'intersects': {
        const a = this.value(left);
        const b = this.value(right);
        return (env) => intersects(a(env), b(env));
      }
      default: {
        const f = this.value(e);
        return (env) => f(env) === true;
      }
    }
  }

  value(e: Expr): Fn {
    if (isConstant(e)) {
      const v = this.raw(e)(NO_ENV);
      // Constant lists are only ever looked into: a Set makes that O(1).
      const folded = Array.isArray(v) ? new Set(v) : v;
      return () => folded;
    }
    return this.raw(e);
  }

  private raw(e: Expr): Fn {
    switch (e.kind) {
      case 'literal': {
        const v = e.value;
        return () => v;
      }
      case 'duration': {
        const v = e.amount * DURATION_MS[e.unit];
        return () => v;
      }
      case 'list': {
        const fs = e.elements.map((x) => this.value(x));
        return (env) => fs.map((f) => f(env));
      }
      case 'prop': {
        const read = this.itemReader(e.name);
        if (e.of === 'item') return (env) => read(env.item, env);
        return (env) => {
          const current = env.context.item;
          return current ? read(current, env) : null;
        };
      }
      case 'user':
        return userReader(e.name);
      case 'context': {
        const name = e.name;
        if (name === 'hourOfDay' || name === 'dayOfWeek') return (env) => calendarField(env.context, name);
        return (env) => toRuleValue(ownValue(env.context, name));
      }
      case 'cart':
        return this.cartReader(e.name);
      case 'param': {
        const name = e.name;
        return (env) => toRuleValue(ownValue(env.params, name));
      }
      case 'history':
        return this.history(e);
      case 'unary': {
        if (e.op === '!') return this.condRaw(e);
        const f = this.value(e.operand);
        return (env) => {
          const v = f(env);
          return typeof v === 'number' ? -v : null;
        };
      }
      case 'binary':
        if (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/') return this.arithmetic(e.op, e.left, e.right);
        return this.condRaw(e);
    }
  }

  private itemReader(name: string): (item: CatalogItem, env: RuleEnv) => RuleValue {
    switch (name) {
      case 'id':
        return (item) => item.id;
      case 'available':
        return (item) => item.available;
      case 'createdAt':
        return (item) => item.createdAt ?? null;
      case 'age':
        return (item, env) => (item.createdAt === undefined ? null : env.context.now - item.createdAt);
    }
    if (this.schema && ownValue(this.schema, name) === 'timestamp') return (item) => toTimestamp(ownValue(item.properties, name));
    return (item) => toRuleValue(ownValue(item.properties, name));
  }

  /** context.cart.*: computed once per (cart, now) and reused for every candidate. */
  private cartReader(name: string): Fn {
    if (name === 'count') return (env) => env.context.cart?.length ?? 0;
    const read = name === 'ids' ? (item: CatalogItem): RuleValue => item.id : this.itemReader(name);
    let lastCart: unknown = NOT_YET;
    let lastNow = NaN;
    let values: ReadonlySet<unknown> = EMPTY;
    return (env) => {
      const cart = env.context.cart;
      if (cart !== lastCart || env.context.now !== lastNow) {
        const out = new Set<unknown>();
        for (const item of cart ?? []) {
          const v = read(item, env);
          if (Array.isArray(v)) for (const x of v) out.add(x);
          else if (v !== null) out.add(v);
        }
        lastCart = cart;
        lastNow = env.context.now;
        values = out;
      }
      return values;
    };
  }

  /** user.purchased(w) etc.: with a constant window the Set is fetched once per history index. */
  private history(e: Expr & { kind: 'history' }): Fn {
    const type = e.eventType ?? VERB_EVENT_TYPE[e.verb];
    if (e.window === null || isConstant(e.window)) {
      const w = e.window === null ? Infinity : this.value(e.window)(NO_ENV);
      if (typeof w !== 'number') return () => EMPTY;
      let lastIndex: HistoryIndex | null = null;
      let ids: ReadonlySet<string> = EMPTY;
      return (env) => {
        if (env.history !== lastIndex) {
          lastIndex = env.history;
          ids = lastIndex.itemIds(type, w);
        }
        return ids;
      };
    }
    const window = this.value(e.window);
    return (env) => {
      const w = window(env);
      return typeof w === 'number' ? env.history.itemIds(type, w) : EMPTY;
    };
  }

  private arithmetic(op: '+' | '-' | '*' | '/', left: Expr, right: Expr): Fn {
    const a = this.value(left);
    const b = this.value(right);
    const apply = ARITHMETIC[op];
    return (env) => {
      const x = a(env);
      const y = b(env);
      if (typeof x !== 'number' || typeof y !== 'number') return null;
      const r = apply(x, y);
      return Number.isFinite(r) ? r : null;
    };
  }

  private equality(left: Expr, right: Expr): Pred {
    // `x == 'shoes'`, `x == null`: strict equality with the constant is exactly the semantics,
    // since values of another type (or collections) are never === a primitive.
    const constantSide = isConstant(right) ? right : isConstant(left) ? left : null;
    if (constantSide) {
      const c = this.value(constantSide)(NO_ENV);
      const f = this.value(constantSide === right ? left : right);
      if (c === null || typeof c !== 'object') return (env) => f(env) === c;
    }
    const a = this.value(left);
    const b = this.value(right);
    return (env) => equal(a(env), b(env));
  }

  private ordered(op: '<' | '<=' | '>' | '>=', left: Expr, right: Expr): Pred {
    const a = this.value(left);
    if (isConstant(right)) {
      const c = this.value(right)(NO_ENV);
      if (typeof c === 'number') {
        switch (op) {
          case '<':
            return (env) => {
              const v = a(env);
              return typeof v === 'number' && v < c;
            };
          case '<=':
            return (env) => {
              const v = a(env);
              return typeof v === 'number' && v <= c;
            };
          case '>':
            return (env) => {
              const v = a(env);
              return typeof v === 'number' && v > c;
            };
          case '>=':
            return (env) => {
              const v = a(env);
              return typeof v === 'number' && v >= c;
            };
        }
      }
    }
    const b = this.value(right);
    const compare = ORDER[op];
    return (env) => {
      const x = a(env);
      const y = b(env);
      return ((typeof x === 'number' && typeof y === 'number') || (typeof x === 'string' && typeof y === 'string')) && compare(x, y);
    };
  }

  /** `x in collection` / `collection contains x` */
  private membership(collection: Expr, element: Expr): Pred {
    const x = this.value(element);
    const coll = this.value(collection);
    return (env) => {
      const v = x(env);
      if (v === null || typeof v === 'object') return false;
      const c = coll(env);
      if (c instanceof Set) return c.has(v);
      return Array.isArray(c) && c.includes(v);
    };
  }
}

function userReader(name: string): Fn {
  switch (name) {
    case 'id':
      return (env) => env.user?.id ?? null;
    case 'likedCategories':
    case 'likedItems':
    case 'dislikedItems':
    case 'hiddenCategories':
      return (env) => env.user?.preferences[name] ?? null;
  }
  return (env) => (env.user ? toRuleValue(ownValue(env.user.attributes, name)) : null);
}

/** Subtrees that read nothing from the environment. */
function isConstant(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
    case 'duration':
      return true;
    case 'list':
      return e.elements.every(isConstant);
    case 'unary':
      return isConstant(e.operand);
    case 'binary':
      return isConstant(e.left) && isConstant(e.right);
    default:
      return false;
  }
}

function finiteOr(v: RuleValue, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

function equal(a: RuleValue, b: RuleValue): boolean {
  if (a === null || b === null) return a === b;
  return typeof a !== 'object' && a === b;
}

function intersects(a: RuleValue, b: RuleValue): boolean {
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  // Walk one side and look each element up in the other, as a Set when one is (no allocation).
  if (a instanceof Set) {
    if (b instanceof Set) {
      const [small, large] = a.size <= b.size ? [a, b] : [b, a];
      for (const x of small) if (large.has(x)) return true;
      return false;
    }
    return (b as readonly unknown[]).some((y) => a.has(y));
  }
  const xs = a as readonly unknown[];
  if (b instanceof Set) return xs.some((x) => b.has(x));
  return xs.some((x) => (b as readonly unknown[]).includes(x));
}

const ARITHMETIC: Readonly<Record<'+' | '-' | '*' | '/', (x: number, y: number) => number>> = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  '/': (x, y) => x / y,
};

const ORDER: Readonly<Record<Extract<BinaryOp, '<' | '<=' | '>' | '>='>, (x: number | string, y: number | string) => boolean>> = {
  '<': (x, y) => x < y,
  '<=': (x, y) => x <= y,
  '>': (x, y) => x > y,
  '>=': (x, y) => x >= y,
};

/**
 * Compile an already-parsed expression without type checking, to a value or a condition.
 * For tools and tests that hold an AST (the checker is what guarantees sensible results).
 */
export function compileValue(e: Expr, schema?: ItemSchema): (env: RuleEnv) => RuleValue {
  return new Compiler(schema).value(e);
}

export function compileCondition(e: Expr, schema?: ItemSchema): RuleFilter {
  return new Compiler(schema).cond(e);
}
