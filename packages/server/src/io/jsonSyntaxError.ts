/** Where a JSON text stops being JSON, for messages that name a line and column. */
export interface JsonSyntaxError {
  /** 0-based character offset */
  offset: number;
  /** 1-based */
  line: number;
  /** 1-based */
  column: number;
  /** what was expected and what was found there */
  reason: string;
}

/**
 * Locates the first syntax error of a JSON text (RFC 8259), or undefined when it is valid.
 * Node 20's JSON.parse names neither line nor column ("Unexpected token '}', … is not valid
 * JSON"), and a config file, a --params value or a 10,000-event body is fixed by line. Nesting
 * deeper than MAX_LOCATED_DEPTH is not followed (undefined: the recursion follows the nesting,
 * and a request body of two million '[' would otherwise overflow the stack).
 */
export function locateJsonError(text: string): JsonSyntaxError | undefined {
  let p = 0;
  let depth = 0;
  const found = (): string => (p >= text.length ? 'the end of the text' : JSON.stringify(text[p]));
  const fail = (expected: string): never => {
    throw new Located(p, `expected ${expected}, found ${found()}`);
  };
  const space = (): void => {
    while (p < text.length && (text[p] === ' ' || text[p] === '\t' || text[p] === '\n' || text[p] === '\r')) p++;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[p] !== ch) fail(`"${word}"`);
      p++;
    }
  };
  const string = (): void => {
    p++;
    for (;;) {
      if (p >= text.length) fail('a closing quote');
      const ch = text.charCodeAt(p);
      if (ch === 34) {
        p++;
        return;
      }
      if (ch === 92) {
        p++;
        const e = text[p];
        if (e === 'u') {
          p++;
          for (let k = 0; k < 4; k++, p++) if (!/[0-9a-fA-F]/.test(text[p] ?? '')) fail('4 hex digits after \\u');
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) p++;
        else fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
      } else if (ch < 32) fail('no control character inside a string (escape it)');
      else p++;
    }
  };
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const value = (): void => {
    space();
    const ch = text[p];
    if ((ch === '{' || ch === '[') && ++depth > MAX_LOCATED_DEPTH) throw TOO_DEEP;
    if (ch === '{') {
      p++;
      space();
      if (text[p] === '}') return void (p++, depth--);
      for (;;) {
        space();
        if (text[p] !== '"') fail('a property name in double quotes');
        string();
        space();
        if (text[p] !== ':') fail("':' after the property name");
        p++;
        value();
        space();
        if (text[p] === ',') p++;
        else if (text[p] === '}') return void (p++, depth--);
        else fail("',' or '}' after the property value");
      }
    }
    if (ch === '[') {
      p++;
      space();
      if (text[p] === ']') return void (p++, depth--);
      for (;;) {
        value();
        space();
        if (text[p] === ',') p++;
        else if (text[p] === ']') return void (p++, depth--);
        else fail("',' or ']' after the array element");
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    NUMBER.lastIndex = p;
    if (ch !== undefined && /[-0-9]/.test(ch) && NUMBER.test(text)) {
      p = NUMBER.lastIndex;
      return;
    }
    fail('a value (an object, array, string, number, true, false or null)');
  };
  try {
    value();
    space();
    if (p < text.length) fail('nothing after the JSON value');
    return undefined;
  } catch (err) {
    if (err === TOO_DEEP) return undefined;
    if (!(err instanceof Located)) throw err;
    const before = text.slice(0, err.offset);
    const line = before.split('\n').length;
    return { offset: err.offset, line, column: err.offset - (before.lastIndexOf('\n') + 1) + 1, reason: err.reason };
  }
}

/** Deepest nesting locateJsonError follows. */
export const MAX_LOCATED_DEPTH = 1000;
const TOO_DEEP = new Error('nested deeper than MAX_LOCATED_DEPTH');

class Located {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** Why JSON.parse refused `text`, with the line and column ("line 4, column 1: expected …"). */
export function describeJsonError(text: string, err: unknown): string {
  const at = locateJsonError(text);
  if (at) return `line ${at.line}, column ${at.column}: ${at.reason}`;
  return err instanceof Error ? err.message : String(err);
}

/** Whether JSON.parse takes the text. */
export function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
