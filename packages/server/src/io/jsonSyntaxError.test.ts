import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { locateJsonError, MAX_LOCATED_DEPTH, parsesAsJson } from './jsonSyntaxError.ts';


describe('locateJsonError', () => {
  it('names the line and column where the text stops being JSON', () => {
    expect(locateJsonError('{\n  "port": 8080,\n  "bad": \n}\n')).toEqual({ offset: 28, line: 4, column: 1, reason: 'expected a value (an object, array, string, number, true, false or null), found "}"' });
    expect(locateJsonError('{"a": 1,}')).toMatchObject({ line: 1, column: 9, reason: 'expected a property name in double quotes, found "}"' });
    expect(locateJsonError('[1 2]')).toMatchObject({ column: 4, reason: "expected ',' or ']' after the array element, found \"2\"" });
    expect(locateJsonError('{"a": "x\\q"}')).toMatchObject({ column: 10 });
    expect(locateJsonError('{"a": tru}')).toMatchObject({ column: 10, reason: 'expected "true", found "}"' });
    expect(locateJsonError('{"a": 1} x')).toMatchObject({ column: 10, reason: 'expected nothing after the JSON value, found "x"' });
    expect(locateJsonError('"abc')).toMatchObject({ column: 5, reason: 'expected a closing quote, found the end of the text' });
    expect(locateJsonError('{"a": [1, {"b": null}], "c": -1.5e3, "d": "\\u00e9"}')).toBeUndefined();
  });

  it('does not follow nesting deeper than MAX_LOCATED_DEPTH (a body of 2 million "[")', () => {
    expect(locateJsonError('['.repeat(2_000_000))).toBeUndefined();
    expect(locateJsonError(`${'['.repeat(MAX_LOCATED_DEPTH)}x`)).toMatchObject({ column: MAX_LOCATED_DEPTH + 1 });
  });

  it('finds an error exactly when JSON.parse refuses the text', () => {
    const unit = fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '0', '1', '-', '+', '.', 'e', 'E', 't', 'r', 'u', 'n', 'l', 'f', 'a', 's', ' ', '\n', '\\', 'x', '\t', '\u0001');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit, maxLength: 24 }), fc.jsonValue().map((v) => JSON.stringify(v, null, 2))), (text) => {
        const located = locateJsonError(text);
        expect(located === undefined, JSON.stringify(text)).toBe(parsesAsJson(text));
        if (located) expect(located.offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 3000 },
    );
  });
});
