import { HISTORY_VERBS, PRECEDENCE, type Expr, type Rule } from './ast.ts';
import { IDENTIFIER } from './lexer.ts';

/**
 * Canonical source text for a rule: `parseRule(printRule(r))` has the same tree as `r`.
 * Used for normalizing stored rules and for messages; parenthesizes only where precedence needs it.
 */
export function printRule(rule: Rule): string {
  if (rule.kind === 'boost') {
    const factor = `boost ${printExpr(rule.factor)}`;
    return rule.condition === null ? factor : `${factor} if ${printExpr(rule.condition)}`;
  }
  return printExpr(rule);
}

export function printExpr(e: Expr): string {
  return print(e, 0);
}

/** Prefix operators bind tighter than every binary operator. */
const UNARY_PRECEDENCE = 6;

function print(e: Expr, context: number): string {
  switch (e.kind) {
    case 'literal':
      return typeof e.value === 'string' ? quote(e.value) : e.value === null ? 'null' : String(e.value);
    case 'duration':
      return `${e.amount}${e.unit}`;
    case 'list':
      return `[${e.elements.map((x) => print(x, 0)).join(', ')}]`;
    case 'prop':
      return `${e.of === 'item' ? 'item' : 'context.item'}${member(e.name)}`;
    case 'user':
      // user.purchased(…) is a history call; an attribute of that name needs brackets.
      return `user${(HISTORY_VERBS as readonly string[]).includes(e.name) ? `[${quote(e.name)}]` : member(e.name)}`;
    case 'context':
      // context.item / context.cart spelled with brackets stay plain context fields.
      return `context${e.name === 'item' || e.name === 'cart' ? `[${quote(e.name)}]` : member(e.name)}`;
    case 'cart':
      return `context.cart${member(e.name)}`;
    case 'param':
      return `$${e.name}`;
    case 'history': {
      const args: string[] = [];
      if (e.eventType !== null) args.push(quote(e.eventType));
      // A leading string in interacted(…) is the event type; a string window needs parens to stay one.
      const stringWindow = e.verb === 'interacted' && e.eventType === null && e.window?.kind === 'literal' && typeof e.window.value === 'string';
      if (e.window !== null) args.push(stringWindow ? `(${print(e.window, 0)})` : print(e.window, 0));
      return `user.${e.verb}(${args.join(', ')})`;
    }
    case 'unary': {
      // `-(5)` keeps a negated literal distinct from the literal -5; `!!x` needs no parens.
      const operand = e.operand;
      const needsParens = operand.kind === 'binary' || (e.op === '-' && (operand.kind === 'literal' || operand.kind === 'duration'));
      const inner = needsParens ? `(${print(operand, 0)})` : print(operand, UNARY_PRECEDENCE);
      return parens(`${e.op}${inner}`, UNARY_PRECEDENCE < context);
    }
    case 'binary': {
      const p = PRECEDENCE[e.op];
      // Left-associative chains; comparisons do not chain at all, so both sides go one level up.
      const left = print(e.left, p === 3 ? p + 1 : p);
      const right = print(e.right, p + 1);
      return parens(`${left} ${e.op} ${right}`, p < context);
    }
  }
}

function parens(s: string, wrap: boolean): string {
  return wrap ? `(${s})` : s;
}

function member(name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${quote(name)}]`;
}

function quote(s: string): string {
  let out = "'";
  for (const c of s) {
    if (c === "'" || c === '\\') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else out += c;
  }
  return `${out}'`;
}
