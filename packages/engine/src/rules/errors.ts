/**
 * Rule errors are values: a stable `code`, an English `message`, and where in the source the
 * problem is. The server turns any `RuleError` into a 400 by serializing `toJSON()`; editors can
 * underline `[position, position + length)`.
 */

export type RuleErrorCode = 'rule_syntax' | 'rule_type';

/** The plain-data shape of a rule error, as sent in a 400 response body. */
export interface RuleErrorInfo {
  code: RuleErrorCode;
  message: string;
  /** 0-based UTF-16 offset into the source */
  position: number;
  /** number of source characters the error covers (≥ 0; 0 at end of input) */
  length: number;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  /** what the parser or checker wanted, in words: "')'", "a number" … */
  expected: string;
  /** what it got instead, in words */
  found: string;
}

export abstract class RuleError extends Error implements RuleErrorInfo {
  abstract readonly code: RuleErrorCode;
  readonly position: number;
  readonly length: number;
  readonly line: number;
  readonly column: number;
  readonly expected: string;
  readonly found: string;
  /** always 400: a bad rule is the caller's mistake */
  readonly status = 400;

  constructor(source: string, position: number, length: number, expected: string, found: string, kind: string, detail?: string) {
    const { line, column } = lineColumn(source, position);
    super(`${kind} at line ${line}, column ${column}: ${detail ?? `expected ${expected}, found ${found}`}`);
    this.position = position;
    this.length = length;
    this.line = line;
    this.column = column;
    this.expected = expected;
    this.found = found;
  }

  toJSON(): RuleErrorInfo {
    const { code, message, position, length, line, column, expected, found } = this;
    return { code, message, position, length, line, column, expected, found };
  }
}

export class RuleSyntaxError extends RuleError {
  readonly code = 'rule_syntax' as const;
  constructor(source: string, position: number, length: number, expected: string, found: string) {
    super(source, position, length, expected, found, 'Syntax error');
    this.name = 'RuleSyntaxError';
  }
}

export class RuleTypeError extends RuleError {
  readonly code = 'rule_type' as const;
  /** `detail` replaces the default "expected X, found Y" sentence when that reads badly */
  constructor(source: string, position: number, length: number, expected: string, found: string, detail?: string) {
    super(source, position, length, expected, found, 'Type error', detail);
    this.name = 'RuleTypeError';
  }
}

export function isRuleError(e: unknown): e is RuleError {
  return e instanceof RuleError;
}

/** 1-based line and column of a 0-based offset; lines end at \n (a \r\n counts once). */
export function lineColumn(source: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(position, source.length);
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}
