import { HISTORY_VERBS, type BinaryOp, type Expr, type HistoryVerb, type Rule } from './ast.ts';
import { RuleSyntaxError } from './errors.ts';
import { describeToken, tokenize, type Token } from './lexer.ts';

/**
 * Hand-written recursive descent over the token list. Precedence, loosest first:
 *   ||/or  <  &&/and  <  comparisons (== != < <= > >= in, not in, contains, intersects; they
 *   do not chain)  <  + -  <  * /  <  prefix ! not -  <  paths, literals, ( … ), [ … ]
 * Every error names what was expected at the offending token.
 */
export function parseRule(source: string): Rule {
  return new Parser(source).rule();
}

/** Parse a single expression (no `boost … if …`). */
export function parseExpression(source: string): Expr {
  const p = new Parser(source);
  const e = p.expression();
  p.expectEnd();
  return e;
}

const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'contains', 'intersects', 'boost', 'if']);
const COMPARISON: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const PRIMARY = 'an expression (a value, item.…, user.…, context.…, $param, ( … ) or [ … ])';

class Parser {
  private readonly tokens: Token[];
  private pos = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  rule(): Rule {
    const first = this.peek();
    if (this.isWord(first, 'boost')) {
      this.pos++;
      const factor = this.expression();
      let condition: Expr | null = null;
      if (this.isWord(this.peek(), 'if')) {
        this.pos++;
        condition = this.expression();
      }
      const end = this.expectEnd("'if', an operator or end of input");
      return { kind: 'boost', factor, condition, start: first.start, end };
    }
    const e = this.expression();
    this.expectEnd();
    return e;
  }

  expression(): Expr {
    return this.or();
  }

  expectEnd(expected = 'an operator or end of input'): number {
    const t = this.peek();
    if (t.kind !== 'eof') this.fail(t, expected);
    return t.start;
  }

  private or(): Expr {
    let left = this.and();
    for (;;) {
      const t = this.peek();
      if (!this.isPunct(t, '||') && !this.isWord(t, 'or')) return left;
      this.pos++;
      const right = this.and();
      left = { kind: 'binary', op: '||', left, right, start: left.start, end: right.end };
    }
  }

  private and(): Expr {
    let left = this.comparison();
    for (;;) {
      const t = this.peek();
      if (!this.isPunct(t, '&&') && !this.isWord(t, 'and')) return left;
      this.pos++;
      const right = this.comparison();
      left = { kind: 'binary', op: '&&', left, right, start: left.start, end: right.end };
    }
  }

  private comparison(): Expr {
    const left = this.additive();
    const op = this.comparisonOp();
    if (op === null) return left;
    const right = this.additive();
    // `a < b < c` means nothing useful in this language: say so instead of guessing.
    const next = this.peek();
    if (next.kind !== 'eof' && this.comparisonOpAhead()) this.fail(next, "'&&' or '||' (comparisons do not chain)");
    return { kind: 'binary', op, left, right, start: left.start, end: right.end };
  }

  /** Consumes and returns a comparison operator, or null when none is next. */
  private comparisonOp(): BinaryOp | null {
    const t = this.peek();
    if (t.kind === 'punct' && COMPARISON.has(t.text)) {
      this.pos++;
      return t.text as BinaryOp;
    }
    if (t.kind !== 'ident') return null;
    if (t.text === 'in' || t.text === 'contains' || t.text === 'intersects') {
      this.pos++;
      return t.text;
    }
    if (t.text === 'not') {
      const after = this.tokens[this.pos + 1] as Token;
      if (!this.isWord(after, 'in')) this.fail(after, "'in' after 'not' (as in: x not in [ … ])");
      this.pos += 2;
      return 'not in';
    }
    return null;
  }

  private comparisonOpAhead(): boolean {
    const t = this.peek();
    if (t.kind === 'punct') return COMPARISON.has(t.text);
    return t.kind === 'ident' && (t.text === 'in' || t.text === 'contains' || t.text === 'intersects' || t.text === 'not');
  }

  private additive(): Expr {
    let left = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (!this.isPunct(t, '+') && !this.isPunct(t, '-')) return left;
      this.pos++;
      const right = this.multiplicative();
      left = { kind: 'binary', op: t.text as '+' | '-', left, right, start: left.start, end: right.end };
    }
  }

  private multiplicative(): Expr {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (!this.isPunct(t, '*') && !this.isPunct(t, '/')) return left;
      this.pos++;
      const right = this.unary();
      left = { kind: 'binary', op: t.text as '*' | '/', left, right, start: left.start, end: right.end };
    }
  }

  private unary(): Expr {
    const t = this.peek();
    if (this.isPunct(t, '!') || this.isWord(t, 'not')) {
      this.pos++;
      const operand = this.unary();
      return { kind: 'unary', op: '!', operand, start: t.start, end: operand.end };
    }
    if (this.isPunct(t, '-')) {
      this.pos++;
      // `-5` and `-2d` are literals, so negative constants print and re-parse as themselves.
      const n = this.peek();
      if (n.kind === 'number') {
        this.pos++;
        return { kind: 'literal', value: -n.value || 0, start: t.start, end: n.end };
      }
      if (n.kind === 'duration') {
        this.pos++;
        return { kind: 'duration', amount: -n.amount || 0, unit: n.unit, start: t.start, end: n.end };
      }
      const operand = this.unary();
      return { kind: 'unary', op: '-', operand, start: t.start, end: operand.end };
    }
    return this.primary();
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'number':
        return { kind: 'literal', value: t.value, start: t.start, end: t.end };
      case 'duration':
        return { kind: 'duration', amount: t.amount, unit: t.unit, start: t.start, end: t.end };
      case 'string':
        return { kind: 'literal', value: t.value, start: t.start, end: t.end };
      case 'param':
        return { kind: 'param', name: t.name, start: t.start, end: t.end };
      case 'punct':
        if (t.text === '(') {
          const inner = this.expression();
          this.expect(')', "')' or an operator");
          // Parentheses leave no node: the tree is the meaning, spans are for messages.
          return inner;
        }
        if (t.text === '[') return this.list(t);
        break;
      case 'ident':
        switch (t.text) {
          case 'true':
            return { kind: 'literal', value: true, start: t.start, end: t.end };
          case 'false':
            return { kind: 'literal', value: false, start: t.start, end: t.end };
          case 'null':
            return { kind: 'literal', value: null, start: t.start, end: t.end };
          case 'item': {
            const m = this.member('item', 'item.price');
            return { kind: 'prop', of: 'item', name: m.name, start: t.start, end: m.end };
          }
          case 'user':
            return this.userPath(t);
          case 'context':
            return this.contextPath(t);
          default:
            if (!KEYWORDS.has(t.text)) this.fail(t, 'item, user, context or $param (names start from one of them)');
        }
        break;
      default:
        break;
    }
    return this.fail(t, PRIMARY);
  }

  private list(open: Token): Expr {
    const elements: Expr[] = [];
    while (!this.isPunct(this.peek(), ']')) {
      elements.push(this.expression());
      if (this.isPunct(this.peek(), ',')) this.pos++;
      else if (!this.isPunct(this.peek(), ']')) this.fail(this.peek(), "',' or ']'");
    }
    const close = this.next();
    return { kind: 'list', elements, start: open.start, end: close.end };
  }

  /** `.name` or `['any name']` after a path root. */
  private member(root: string, example: string): { name: string; end: number; dotted: boolean } {
    const t = this.next();
    if (this.isPunct(t, '.')) {
      const name = this.next();
      if (name.kind !== 'ident') this.fail(name, 'a property name');
      return { name: name.text, end: name.end, dotted: true };
    }
    if (this.isPunct(t, '[')) {
      const name = this.next();
      if (name.kind !== 'string') this.fail(name, "a quoted property name, as in ['name']");
      const close = this.expect(']', "']'");
      return { name: name.value, end: close.end, dotted: false };
    }
    return this.fail(t, `'.' after ${root} (as in ${example})`);
  }

  private userPath(root: Token): Expr {
    const m = this.member('user', 'user.segment');
    if (m.dotted && (HISTORY_VERBS as readonly string[]).includes(m.name)) return this.history(root, m.name as HistoryVerb);
    return { kind: 'user', name: m.name, start: root.start, end: m.end };
  }

  /** user.purchased([window]), user.viewed([window]), user.interacted(['type'][, window]) */
  private history(root: Token, verb: HistoryVerb): Expr {
    const example = verb === 'interacted' ? "user.interacted('cart', 14d)" : `user.${verb}(30d)`;
    this.expect('(', `'(' after user.${verb} (as in ${example})`);
    let eventType: string | null = null;
    let window: Expr | null = null;
    const t = this.peek();
    const after = this.tokens[this.pos + 1] as Token;
    // A lone leading string is the event type; `'a' + …` would be the start of a window expression.
    if (verb === 'interacted' && t.kind === 'string' && (this.isPunct(after, ',') || this.isPunct(after, ')'))) {
      this.pos++;
      eventType = t.value;
      if (this.isPunct(this.peek(), ',')) {
        this.pos++;
        window = this.expression();
      }
    } else if (!this.isPunct(t, ')')) {
      window = this.expression();
    }
    const typeFirst = (window === null && eventType !== null) || (verb === 'interacted' && window?.kind === 'literal' && typeof window.value === 'string');
    const close = this.expect(')', typeFirst ? "',' or ')'" : "')'");
    return { kind: 'history', verb, eventType, window, start: root.start, end: close.end };
  }

  private contextPath(root: Token): Expr {
    const m = this.member('context', 'context.device');
    if (m.dotted && m.name === 'item') {
      const p = this.member('context.item', 'context.item.category');
      return { kind: 'prop', of: 'current', name: p.name, start: root.start, end: p.end };
    }
    if (m.dotted && m.name === 'cart') {
      const p = this.member('context.cart', 'context.cart.ids');
      return { kind: 'cart', name: p.name, start: root.start, end: p.end };
    }
    return { kind: 'context', name: m.name, start: root.start, end: m.end };
  }

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    const t = this.tokens[this.pos] as Token;
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private expect(punct: string, expected: string): Token {
    const t = this.peek();
    if (!this.isPunct(t, punct)) this.fail(t, expected);
    this.pos++;
    return t;
  }

  private isPunct(t: Token, text: string): boolean {
    return t.kind === 'punct' && t.text === text;
  }

  private isWord(t: Token, word: string): boolean {
    return t.kind === 'ident' && t.text === word;
  }

  private fail(t: Token, expected: string): never {
    throw new RuleSyntaxError(this.source, t.start, t.end - t.start, expected, describeToken(t));
  }
}
