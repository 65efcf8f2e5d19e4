import { describe, expect, it } from 'vitest';
import { RuleSyntaxError } from './errors.ts';
import { parseRule } from './parse.ts';
import { printRule } from './print.ts';

// [source, canonical print]: the tree is checked through its canonical text.
const PARSES: Array<[string, string]> = [
  ['item.inStock && item.price < 100 && !(item.id in user.purchased(30d))', 'item.inStock && item.price < 100 && !(item.id in user.purchased(30d))'],
  ['boost 1.5 if item.category == context.item.category', 'boost 1.5 if item.category == context.item.category'],
  ['boost 2', 'boost 2'],
  ['item.a and item.b or not item.c', 'item.a && item.b || !item.c'],
  ['item.a || item.b && item.c', 'item.a || item.b && item.c'],
  ['(item.a || item.b) && item.c', '(item.a || item.b) && item.c'],
  ['1 + 2 * 3 - 4 / 5', '1 + 2 * 3 - 4 / 5'],
  ['(1 + 2) * (3 - 4)', '(1 + 2) * (3 - 4)'],
  ['1 - (2 - 3)', '1 - (2 - 3)'],
  ['-5 + -(5) - -item.x', '-5 + -(5) - -item.x'],
  ['-2d', '-2d'],
  [String.raw`'it\'s' == "say \"hi\""`, String.raw`'it\'s' == 'say "hi"'`],
  ['item.tag not in [\'a\', "b",]', "item.tag not in ['a', 'b']"],
  ['[] intersects item.tags', '[] intersects item.tags'],
  ['item.tags contains $tag', 'item.tags contains $tag'],
  ["item['brand name'] == null", "item['brand name'] == null"],
  ["user['purchased'] == true", "user['purchased'] == true"],
  ["user.interacted('cart', 14d)", "user.interacted('cart', 14d)"],
  ["user.interacted('cart')", "user.interacted('cart')"],
  ['user.interacted()', 'user.interacted()'],
  ['user.viewed($days * 1d)', 'user.viewed($days * 1d)'],
  ['context.cart.ids', 'context.cart.ids'],
  ["context['cart']", "context['cart']"],
  ['item.in == item.boost', 'item.in == item.boost'],
  ['1.5e3 == 1500', '1500 == 1500'],
  ['.5 == 0.5', '0.5 == 0.5'],
  ['  item.a\n\t&& item.b  ', 'item.a && item.b'],
  ['!!item.a', '!!item.a'],
  ['not not item.a', '!!item.a'],
  ['12h < 1w && 15m > 90s && 5ms < 1s', '12h < 1w && 15m > 90s && 5ms < 1s'],
];

describe('parseRule', () => {
  for (const [source, canonical] of PARSES) {
    it(source, () => {
      expect(printRule(parseRule(source))).toBe(canonical);
    });
  }

  it('records spans for every node', () => {
    const rule = parseRule('item.price < 100');
    expect(rule).toMatchObject({ kind: 'binary', op: '<', start: 0, end: 16, left: { kind: 'prop', name: 'price', start: 0, end: 10 }, right: { kind: 'literal', value: 100, start: 13, end: 16 } });
  });

  it('builds boost rules', () => {
    expect(parseRule('boost 2 if item.a')).toMatchObject({ kind: 'boost', factor: { kind: 'literal', value: 2 }, condition: { kind: 'prop', name: 'a' } });
  });
});

// [source, position, expected]
const SYNTAX_ERRORS: Array<[string, number, string]> = [
  ['', 0, 'an expression (a value, item.…, user.…, context.…, $param, ( … ) or [ … ])'],
  ['item.price <', 12, 'an expression (a value, item.…, user.…, context.…, $param, ( … ) or [ … ])'],
  ['item.price = 3', 11, "'==' to compare"],
  ['item.a & item.b', 7, "'&&'"],
  ['item.a | item.b', 7, "'||'"],
  ['(item.a', 7, "')' or an operator"],
  ['item.a)', 6, 'an operator or end of input'],
  ['item.a item.b', 7, 'an operator or end of input'],
  ["item.a == 'open", 15, "a closing '"],
  ['item.a == "x\n"', 12, 'a closing "'],
  ["'\\q'", 1, "an escape (\\\\, \\', \\\", \\n, \\t, \\r or \\uXXXX)"],
  ['30x', 2, 'a duration unit (ms, s, m, h, d or w)'],
  ['item', 4, "'.' after item (as in item.price)"],
  ['item.', 5, 'a property name'],
  ['item.5', 5, 'a property name'],
  ['item[5]', 5, "a quoted property name, as in ['name']"],
  ['price < 5', 0, 'item, user, context or $param (names start from one of them)'],
  ['$ == 1', 1, 'a parameter name after $'],
  ['item.a # 1', 7, 'a value, name or operator'],
  ['user.purchased', 14, "'(' after user.purchased (as in user.purchased(30d))"],
  ['user.purchased(30d', 18, "')'"],
  ["user.interacted('cart' 14d)", 23, "',' or ')'"],
  ['context.item', 12, "'.' after context.item (as in context.item.category)"],
  ['context.cart', 12, "'.' after context.cart (as in context.cart.ids)"],
  ['[1, 2', 5, "',' or ']'"],
  ['[1 2]', 3, "',' or ']'"],
  ['1 < 2 < 3', 6, "'&&' or '||' (comparisons do not chain)"],
  ['item.a == item.b in $c', 17, "'&&' or '||' (comparisons do not chain)"],
  ['item.a not item.b', 11, "'in' after 'not' (as in: x not in [ … ])"],
  ['boost 2 item.a', 8, "'if', an operator or end of input"],
  ['boost 2 if', 10, 'an expression (a value, item.…, user.…, context.…, $param, ( … ) or [ … ])'],
  ['item.a &&', 9, 'an expression (a value, item.…, user.…, context.…, $param, ( … ) or [ … ])'],
  ['item.a &&\n  (item.b ||', 22, 'an expression (a value, item.…, user.…, context.…, $param, ( … ) or [ … ])'],
];

describe('syntax errors', () => {
  for (const [source, position, expected] of SYNTAX_ERRORS) {
    it(JSON.stringify(source), () => {
      let error: unknown;
      try {
        parseRule(source);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RuleSyntaxError);
      const e = error as RuleSyntaxError;
      expect({ position: e.position, expected: e.expected }).toEqual({ position, expected });
      expect(e.code).toBe('rule_syntax');
      expect(e.message).toContain(`expected ${expected}, found `);
    });
  }

  it('reports line and column, and serializes as a plain value', () => {
    let error: RuleSyntaxError | undefined;
    try {
      parseRule("item.a &&\n  item.b == 'x' &&\n  item.c = 1");
    } catch (e) {
      error = e as RuleSyntaxError;
    }
    expect(error?.toJSON()).toEqual({
      code: 'rule_syntax',
      message: "Syntax error at line 3, column 10: expected '==' to compare, found '='",
      position: 38,
      length: 1,
      line: 3,
      column: 10,
      expected: "'==' to compare",
      found: "'='",
    });
    expect(error?.status).toBe(400);
  });
});
