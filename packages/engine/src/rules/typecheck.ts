import { ITEM_BUILTINS, type BinaryOp, type Expr, type Rule, type Span } from './ast.ts';
import type { ItemSchema, PropertyType } from './env.ts';
import { RuleTypeError } from './errors.ts';
import { ownValue } from '../data/ownValue.ts';

/**
 * Static types. `unknown` is what we cannot know before evaluation (request parameters, user
 * attributes, open context fields, item properties without a schema): it is accepted anywhere
 * and checked at run time, where a mismatch simply compares false.
 */
export type RuleType =
  | 'number' | 'string' | 'boolean' | 'timestamp' | 'duration'
  | 'string-set' | 'number-set' | 'set' | 'vector' | 'null' | 'unknown';

/** What a rule computes: a filter condition, a `boost … if …` multiplier, or a numeric score term. */
export type RuleForm = 'filter' | 'boost' | 'score';

const ITEM_BUILTIN_TYPES: Readonly<Record<(typeof ITEM_BUILTINS)[number], RuleType>> = {
  id: 'string',
  available: 'boolean',
  createdAt: 'timestamp',
  age: 'duration',
};

const USER_BUILTIN_TYPES: Readonly<Record<string, RuleType>> = {
  id: 'string',
  likedCategories: 'string-set',
  likedItems: 'string-set',
  dislikedItems: 'string-set',
  hiddenCategories: 'string-set',
};

/** Context fields with a known type; any other field is open (unknown). */
export const CONTEXT_FIELD_TYPES: Readonly<Record<string, RuleType>> = {
  now: 'timestamp',
  timezone: 'string',
  device: 'string',
  country: 'string',
  locale: 'string',
  hourOfDay: 'number',
  dayOfWeek: 'number',
};

const NAMES: Readonly<Record<RuleType, string>> = {
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  timestamp: 'a timestamp',
  duration: 'a duration',
  'string-set': 'a string set',
  'number-set': 'a number list',
  set: 'a list',
  vector: 'a vector',
  null: 'null',
  unknown: 'a value',
};

export function describeType(t: RuleType): string {
  return NAMES[t];
}

const isSet = (t: RuleType): boolean => t === 'string-set' || t === 'number-set' || t === 'set';
/** Element type of a set type; unknown for untyped sets. */
const elementOf = (t: RuleType): RuleType => (t === 'string-set' ? 'string' : t === 'number-set' ? 'number' : 'unknown');

/**
 * Checks a parsed rule for the form the caller wants and returns the form it has.
 * `want: 'boost'` accepts both boost rules and plain numeric score terms.
 */
export function checkRule(rule: Rule, source: string, want: 'filter' | 'boost', schema?: ItemSchema): RuleForm {
  const c = new Checker(source, schema);
  if (rule.kind === 'boost') {
    if (want === 'filter') c.fail(rule.start, 5, 'a condition', 'a boost rule', "expected a condition, found a boost rule (boosts belong in boosters; filters keep or drop items)");
    c.expect(rule.factor, ['number'], 'a number (the boost factor)');
    if (rule.condition) c.expect(rule.condition, ['boolean'], 'a condition after if');
    return 'boost';
  }
  if (want === 'filter') {
    c.expect(rule, ['boolean'], 'a condition');
    return 'filter';
  }
  c.expect(rule, ['number'], "a number or 'boost <factor> if <condition>'");
  return 'score';
}

/** The static type of one expression, for tools (and tests). */
export function typeOf(e: Expr, source: string, schema?: ItemSchema): RuleType {
  return new Checker(source, schema).type(e);
}

class Checker {
  constructor(
    private readonly source: string,
    private readonly schema: ItemSchema | undefined,
  ) {}

  /** Type of `e`, which must be one of `allowed` (or unknown). */
  expect(e: Expr, allowed: readonly RuleType[], expected: string): RuleType {
    const t = this.type(e);
    if (t !== 'unknown' && !allowed.includes(t)) this.failAt(e, expected, describeType(t));
    return t;
  }

  type(e: Expr): RuleType {
    switch (e.kind) {
      case 'literal':
        return e.value === null ? 'null' : (typeof e.value as 'number' | 'string' | 'boolean');
      case 'duration':
        return 'duration';
      case 'list':
        return this.list(e);
      case 'prop':
        return this.itemProperty(e, e.name);
      case 'user':
        return USER_BUILTIN_TYPES[e.name] ?? 'unknown';
      case 'context':
        return CONTEXT_FIELD_TYPES[e.name] ?? 'unknown';
      case 'cart': {
        if (e.name === 'ids') return 'string-set';
        if (e.name === 'count') return 'number';
        const t = this.itemProperty(e, e.name);
        if (t === 'string' || t === 'string-set') return 'string-set';
        if (t === 'number' || t === 'number-set') return 'number-set';
        if (t === 'unknown') return 'set';
        return this.failAt(e, 'ids, count, or a string or number property of cart items', `${describeType(t)} property`);
      }
      case 'param':
        return 'unknown';
      case 'history':
        if (e.window) this.expect(e.window, ['duration'], 'a duration (as in 30d)');
        return 'string-set';
      case 'unary':
        if (e.op === '!') {
          this.expect(e.operand, ['boolean'], "a condition after '!'");
          return 'boolean';
        }
        return this.expect(e.operand, ['number', 'duration'], "a number or duration after '-'");
      case 'binary':
        return this.binary(e.op, e.left, e.right);
    }
  }

  private list(e: Expr & { kind: 'list' }): RuleType {
    let element: RuleType = 'unknown';
    for (const x of e.elements) {
      const t = this.expect(x, ['string', 'number'], 'a string or number (list elements)');
      if (t === 'unknown') continue;
      if (element === 'unknown') element = t;
      else if (t !== element) this.failAt(x, `${describeType(element)} (list elements share one type)`, describeType(t));
    }
    return element === 'string' ? 'string-set' : element === 'number' ? 'number-set' : 'set';
  }

  private itemProperty(at: Span, name: string): RuleType {
    const builtin = ownValue(ITEM_BUILTIN_TYPES as Readonly<Record<string, RuleType>>, name);
    if (builtin) return builtin;
    if (!this.schema) return 'unknown';
    if (!Object.hasOwn(this.schema, name)) {
      const known = [...ITEM_BUILTINS, ...Object.keys(this.schema).sort()];
      const list = known.length > 12 ? `${known.slice(0, 12).join(', ')}, …` : known.join(', ');
      const near = closest(name, known);
      const detail = `unknown item property '${name}'${near ? ` (did you mean '${near}'?)` : ''}; expected one of ${list}`;
      return this.failAt(at, `an item property (${list})`, `'${name}'`, detail);
    }
    return SCHEMA_TYPES[this.schema[name] as PropertyType];
  }

  private binary(op: BinaryOp, left: Expr, right: Expr): RuleType {
    switch (op) {
      case '&&':
      case '||':
        this.expect(left, ['boolean'], `a condition before '${op}'`);
        this.expect(right, ['boolean'], `a condition after '${op}'`);
        return 'boolean';
      case '==':
      case '!=':
        this.comparable(left, right, ['number', 'string', 'boolean', 'timestamp', 'duration', 'null'], op);
        return 'boolean';
      case '<':
      case '<=':
      case '>':
      case '>=':
        this.comparable(left, right, ['number', 'string', 'timestamp', 'duration'], op);
        return 'boolean';
      case 'in':
      case 'not in': {
        const s = this.expect(right, ['string-set', 'number-set', 'set'], `a list or set after '${op}'`);
        this.element(left, elementOf(s), op);
        return 'boolean';
      }
      case 'contains': {
        const s = this.expect(left, ['string-set', 'number-set', 'set'], "a list or set before 'contains'");
        this.element(right, elementOf(s), op);
        return 'boolean';
      }
      case 'intersects': {
        const a = this.expect(left, ['string-set', 'number-set', 'set'], "a list or set before 'intersects'");
        const b = this.expect(right, ['string-set', 'number-set', 'set'], "a list or set after 'intersects'");
        const ea = elementOf(a);
        const eb = elementOf(b);
        if (ea !== 'unknown' && eb !== 'unknown' && ea !== eb) this.failAt(right, `a set of ${ea}s`, `a set of ${eb}s`);
        return 'boolean';
      }
      case '+':
      case '-':
      case '*':
      case '/':
        return this.arithmetic(op, left, right);
    }
  }

  /** Both sides of a comparison: allowed types, and the same type (numbers may meet timestamps). */
  private comparable(left: Expr, right: Expr, allowed: readonly RuleType[], op: string): void {
    // `x == null` / `x != null` test for a missing value of any type, sets included.
    if (allowed.includes('null') && (this.type(left) === 'null' || this.type(right) === 'null')) return;
    const what = allowed.includes('boolean') ? 'a number, string, boolean, timestamp or duration' : 'a number, string, timestamp or duration';
    const a = this.expect(left, allowed, `${what} before '${op}'`);
    const b = this.expect(right, allowed, `${what} after '${op}'`);
    if (a === 'unknown' || b === 'unknown' || a === 'null' || b === 'null' || a === b) return;
    // Epoch-millisecond numbers may be compared with timestamps; durations need units (30d).
    if ((a === 'timestamp' && b === 'number') || (a === 'number' && b === 'timestamp')) return;
    const hint = a === 'duration' && b === 'number' ? ' (give durations a unit, as in 30d)' : '';
    this.failAt(right, describeType(a) + hint, describeType(b), `cannot compare ${describeType(a)} with ${describeType(b)}${hint}`);
  }

  private element(e: Expr, element: RuleType, op: string): void {
    const allowed: RuleType[] = element === 'unknown' ? ['string', 'number', 'null'] : [element, 'null'];
    const t = this.type(e);
    if (t === 'unknown' || allowed.includes(t)) return;
    const hint = isSet(t) ? " (use 'intersects' for two sets)" : '';
    this.failAt(e, `${allowed.filter((x) => x !== 'null').map(describeType).join(' or ')} for '${op}'${hint}`, describeType(t));
  }

  private arithmetic(op: '+' | '-' | '*' | '/', left: Expr, right: Expr): RuleType {
    const numeric: RuleType[] = ['number', 'duration', 'timestamp'];
    const a = this.expect(left, numeric, `a number, duration or timestamp before '${op}'`);
    const b = this.expect(right, numeric, `a number, duration or timestamp after '${op}'`);
    if (a === 'unknown' || b === 'unknown') return a === 'number' && b === 'number' ? 'number' : 'unknown';
    const result = ARITHMETIC[`${a} ${op} ${b}`];
    if (result) return result;
    return this.failAt(right, `an operand that ${describeType(a)} can be combined with by '${op}'`, describeType(b), `cannot compute ${describeType(a)} ${op} ${describeType(b)}`);
  }

  fail(position: number, length: number, expected: string, found: string, detail?: string): never {
    throw new RuleTypeError(this.source, position, length, expected, found, detail);
  }

  private failAt(at: Span, expected: string, found: string, detail?: string): never {
    return this.fail(at.start, at.end - at.start, expected, found, detail);
  }
}

const SCHEMA_TYPES: Readonly<Record<PropertyType, RuleType>> = {
  string: 'string',
  number: 'number',
  boolean: 'boolean',
  timestamp: 'timestamp',
  'string-set': 'string-set',
  'number-set': 'number-set',
  vector: 'vector',
};

/** Unit arithmetic: durations and timestamps are milliseconds underneath, but keep their units. */
const ARITHMETIC: Readonly<Record<string, RuleType>> = {
  'number + number': 'number',
  'number - number': 'number',
  'number * number': 'number',
  'number / number': 'number',
  'duration + duration': 'duration',
  'duration - duration': 'duration',
  'duration * number': 'duration',
  'number * duration': 'duration',
  'duration / number': 'duration',
  'duration / duration': 'number',
  'timestamp + duration': 'timestamp',
  'duration + timestamp': 'timestamp',
  'timestamp - duration': 'timestamp',
  'timestamp - timestamp': 'duration',
};

/** The known name within edit distance 2 of `name`, for "did you mean" hints. */
function closest(name: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length] as number;
}
