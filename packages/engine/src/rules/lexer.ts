import { RuleSyntaxError } from './errors.ts';

/**
 * Tokens for the rule language. Keywords (and, or, not, in, contains, intersects, boost, if,
 * true, false, null) are lexed as identifiers: the parser decides by position, so `item.in`
 * or `item.boost` stay valid property names.
 */
export type Token =
  | { kind: 'number'; text: string; value: number; start: number; end: number }
  | { kind: 'duration'; text: string; amount: number; unit: DurationUnit; start: number; end: number }
  | { kind: 'string'; text: string; value: string; start: number; end: number }
  | { kind: 'ident'; text: string; start: number; end: number }
  | { kind: 'param'; text: string; name: string; start: number; end: number }
  | { kind: 'punct'; text: Punct; start: number; end: number }
  | { kind: 'eof'; text: ''; start: number; end: number };

export type Punct =
  | '(' | ')' | '[' | ']' | ',' | '.'
  | '==' | '!=' | '<' | '<=' | '>' | '>='
  | '&&' | '||' | '!' | '+' | '-' | '*' | '/';

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd' | 'w';

export const DURATION_MS: Readonly<Record<DurationUnit, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const TWO_CHAR = new Set(['==', '!=', '<=', '>=', '&&', '||']);
const ONE_CHAR = new Set(['(', ')', '[', ']', ',', '.', '<', '>', '!', '+', '-', '*', '/']);

const isDigit = (c: string): boolean => c >= '0' && c <= '9';
const isIdentStart = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const isIdentPart = (c: string): boolean => isIdentStart(c) || isDigit(c);

/** A name the printer can write bare; other property names are printed as ['…']. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  const fail = (at: number, length: number, expected: string, found: string): never => {
    throw new RuleSyntaxError(source, at, length, expected, found);
  };
  while (i < n) {
    const c = source[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const start = i;
    // `.5` is a number, except right after a name: `item.5` is a bad member, not `item` then 0.5.
    const prev = tokens[tokens.length - 1];
    const afterOperand = prev !== undefined && (prev.kind === 'ident' || prev.kind === 'param' || (prev.kind === 'punct' && (prev.text === ')' || prev.text === ']')));
    if (isDigit(c) || (c === '.' && !afterOperand && isDigit(source[i + 1] ?? ''))) {
      while (i < n && isDigit(source[i] as string)) i++;
      if (source[i] === '.' && isDigit(source[i + 1] ?? '')) {
        i++;
        while (i < n && isDigit(source[i] as string)) i++;
      }
      if ((source[i] === 'e' || source[i] === 'E') && (isDigit(source[i + 1] ?? '') || ((source[i + 1] === '+' || source[i + 1] === '-') && isDigit(source[i + 2] ?? '')))) {
        i += 2;
        while (i < n && isDigit(source[i] as string)) i++;
      }
      const numberText = source.slice(start, i);
      const value = Number(numberText);
      // A letter glued to a number is a duration unit or a typo; never two tokens.
      if (isIdentStart(source[i] ?? '')) {
        let j = i;
        while (j < n && isIdentPart(source[j] as string)) j++;
        const unit = source.slice(i, j);
        if (!(unit in DURATION_MS)) fail(i, j - i, 'a duration unit (ms, s, m, h, d or w)', `'${unit}'`);
        tokens.push({ kind: 'duration', text: source.slice(start, j), amount: value, unit: unit as DurationUnit, start, end: j });
        i = j;
      } else {
        tokens.push({ kind: 'number', text: numberText, value, start, end: i });
      }
      continue;
    }
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(source[i] as string)) i++;
      tokens.push({ kind: 'ident', text: source.slice(start, i), start, end: i });
      continue;
    }
    if (c === '$') {
      i++;
      if (!isIdentStart(source[i] ?? '')) fail(i, i < n ? 1 : 0, 'a parameter name after $', describeChar(source, i));
      while (i < n && isIdentPart(source[i] as string)) i++;
      tokens.push({ kind: 'param', text: source.slice(start, i), name: source.slice(start + 1, i), start, end: i });
      continue;
    }
    if (c === "'" || c === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= n) fail(i, 0, `a closing ${c}`, 'end of input');
        const d = source[i] as string;
        if (d === c) break;
        if (d === '\n') fail(i, 1, `a closing ${c}`, 'end of line');
        if (d === '\\') {
          const e = source[i + 1];
          const escaped = e === undefined ? undefined : ESCAPES[e];
          if (escaped !== undefined) {
            value += escaped;
            i += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            fail(i, 2, "an escape (\\\\, \\', \\\", \\n, \\t, \\r or \\uXXXX)", e === undefined ? 'end of input' : `'\\${e}'`);
          }
          continue;
        }
        value += d;
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: source.slice(start, i), value, start, end: i });
      continue;
    }
    const two = source.slice(i, i + 2);
    if (TWO_CHAR.has(two)) {
      tokens.push({ kind: 'punct', text: two as Punct, start, end: i + 2 });
      i += 2;
      continue;
    }
    if (ONE_CHAR.has(c)) {
      tokens.push({ kind: 'punct', text: c as Punct, start, end: i + 1 });
      i++;
      continue;
    }
    // The common slips from other languages get a pointed hint.
    if (c === '=') fail(i, 1, "'==' to compare", "'='");
    if (c === '&') fail(i, 1, "'&&'", "'&'");
    if (c === '|') fail(i, 1, "'||'", "'|'");
    fail(i, 1, 'a value, name or operator', describeChar(source, i));
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n });
  return tokens;
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r' };

function describeChar(source: string, i: number): string {
  const c = source[i];
  return c === undefined ? 'end of input' : `'${c}'`;
}

/** How a token reads in an error message. */
export function describeToken(t: Token): string {
  return t.kind === 'eof' ? 'end of input' : `'${t.text}'`;
}
