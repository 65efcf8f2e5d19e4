import { describe, expect, it } from 'vitest';
import { compileBoost, compileFilter } from './compile.ts';
import type { ItemSchema } from './env.ts';
import { RuleTypeError } from './errors.ts';
import { parseExpression } from './parse.ts';
import { typeOf, type RuleType } from './typecheck.ts';
import { validateRule } from './validate.ts';

const schema: ItemSchema = { price: 'number', category: 'string', inStock: 'boolean', tags: 'string-set', sizes: 'number-set', launched: 'timestamp', embedding: 'vector', color: 'string' };

const TYPES: Array<[string, RuleType]> = [
  ['item.price', 'number'],
  ['item.id', 'string'],
  ['item.available', 'boolean'],
  ['item.createdAt', 'timestamp'],
  ['item.age', 'duration'],
  ['item.tags', 'string-set'],
  ['context.item.price', 'number'],
  ['context.cart.ids', 'string-set'],
  ['context.cart.category', 'string-set'],
  ['context.cart.sizes', 'number-set'],
  ['context.cart.count', 'number'],
  ['context.now', 'timestamp'],
  ['context.hourOfDay', 'number'],
  ['context.anything', 'unknown'],
  ['user.segment', 'unknown'],
  ['user.likedCategories', 'string-set'],
  ['user.purchased(30d)', 'string-set'],
  ['$p', 'unknown'],
  ['$p * 2', 'unknown'],
  ['item.price * 2', 'number'],
  ['context.now - item.createdAt', 'duration'],
  ['context.now - 1d', 'timestamp'],
  ['2 * 1d', 'duration'],
  ['1w / 1d', 'number'],
  ["['a', $x]", 'string-set'],
  ['[1, 2]', 'number-set'],
  ['[]', 'set'],
  ['item.price > 3 && $flag', 'boolean'],
  ['item.tags == null || item.embedding != null', 'boolean'],
];

describe('typeOf', () => {
  for (const [source, type] of TYPES) {
    it(source, () => {
      expect(typeOf(parseExpression(source), source, schema)).toBe(type);
    });
  }
});

// [source, position, expected]; all with the schema above, as filters.
const TYPE_ERRORS: Array<[string, number, string]> = [
  ["item.price == 'cheap'", 14, 'a number'],
  ["item.category < 5", 16, 'a string'],
  ['item.colour == "red"', 0, 'an item property (id, available, createdAt, age, category, color, embedding, inStock, launched, price, sizes, tags)'],
  ['context.item.nope == 1', 0, 'an item property (id, available, createdAt, age, category, color, embedding, inStock, launched, price, sizes, tags)'],
  ["item.age < 30", 11, 'a duration (give durations a unit, as in 30d)'],
  ['item.price', 0, 'a condition'],
  ['item.price + 1', 0, 'a condition'],
  ['item.inStock && item.price', 16, "a condition after '&&'"],
  ['!item.category', 1, "a condition after '!'"],
  ['-item.category == 1', 1, "a number or duration after '-'"],
  ["item.tags == ['a']", 0, "a number, string, boolean, timestamp or duration before '=='"],
  ['item.inStock < true', 0, "a number, string, timestamp or duration before '<'"],
  ['item.embedding == 1', 0, "a number, string, boolean, timestamp or duration before '=='"],
  ["item.category in 'shoes'", 17, "a list or set after 'in'"],
  ['item.price in item.tags', 0, "a string for 'in'"],
  ["item.tags in ['a']", 0, "a string for 'in' (use 'intersects' for two sets)"],
  ["item.category contains 'a'", 0, "a list or set before 'contains'"],
  ['item.tags intersects [1, 2]', 21, 'a set of strings'],
  ["[1, 'a'] == null", 4, 'a number (list elements share one type)'],
  ['[true] == null', 1, 'a string or number (list elements)'],
  ["item.category + 'x' == 'y'", 0, "a number, duration or timestamp before '+'"],
  ['item.createdAt + item.createdAt > 0', 17, "an operand that a timestamp can be combined with by '+'"],
  ["item.id in user.purchased('30d')", 26, 'a duration (as in 30d)'],
  ['context.cart.inStock contains true', 0, 'ids, count, or a string or number property of cart items'],
  ['context.hourOfDay == "noon"', 21, 'a number'],
  ["context.device == 1", 18, 'a string'],
  ['boost 2 if item.inStock', 0, 'a condition'],
];

describe('type errors', () => {
  for (const [source, position, expected] of TYPE_ERRORS) {
    it(source, () => {
      let error: unknown;
      try {
        compileFilter(source, schema);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuleTypeError);
      const e = error as RuleTypeError;
      expect({ position: e.position, expected: e.expected }).toEqual({ position, expected });
      expect(e.code).toBe('rule_type');
    });
  }

  it('names the mismatch in the message', () => {
    expect(() => compileFilter("item.price == 'cheap'", schema)).toThrow("Type error at line 1, column 15: cannot compare a number with a string");
    expect(() => compileFilter('item.colour == "red"', schema)).toThrow("unknown item property 'colour' (did you mean 'color'?)");
  });

  it('accepts anything on properties without a schema, and on params', () => {
    expect(() => compileFilter("item.colour == 'red' && item.price > $min && $tags intersects item.tags")).not.toThrow();
  });

  it('checks the boost factor and condition', () => {
    expect(() => compileBoost("boost 'x' if item.inStock", schema)).toThrow(RuleTypeError);
    expect(() => compileBoost('boost 2 if item.price', schema)).toThrow('expected a condition after if, found a number');
    expect(() => compileBoost('item.inStock', schema)).toThrow("expected a number or 'boost <factor> if <condition>', found a boolean");
  });
});

describe('validateRule', () => {
  it('returns the form, or the error as a plain value', () => {
    expect(validateRule('item.price < 3', 'filter', schema)).toEqual({ ok: true, form: 'filter' });
    expect(validateRule('boost 2 if item.inStock', 'boost', schema)).toEqual({ ok: true, form: 'boost' });
    expect(validateRule('item.price * 2', 'boost', schema)).toEqual({ ok: true, form: 'score' });
    const bad = validateRule('item.price <', 'filter');
    expect(bad.ok === false && bad.error).toMatchObject({ code: 'rule_syntax', position: 12, line: 1, column: 13 });
    const wrong = validateRule("item.price < 'x'", 'filter', schema);
    expect(wrong.ok === false && wrong.error).toMatchObject({ code: 'rule_type', position: 13, expected: 'a number', found: 'a string' });
  });
});
