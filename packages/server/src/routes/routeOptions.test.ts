import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { listJson, listRouteOptions } from './routeOptions.ts';

// full Unicode (lone surrogates included): the bytes must still match JSON.stringify's, encoded
const item = fc.record({ itemId: fc.string({ unit: 'binary' }), score: fc.double({ noNaN: true, noDefaultInfinity: true }), reasons: fc.array(fc.record({ type: fc.string(), text: fc.string({ unit: 'binary' }), itemIds: fc.array(fc.string(), { maxLength: 3 }) }), { maxLength: 2 }) });
const body = fc.record({ recommendationId: fc.string({ unit: 'binary' }), items: fc.array(item, { maxLength: 6 }), model: fc.record({ name: fc.string(), version: fc.nat() }) });

describe('listJson', () => {
  it("is byte-identical to JSON.stringify's UTF-8, for plain and frozen item arrays", () => {
    fc.assert(
      fc.property(body, fc.boolean(), (b, frozen) => {
        const items = frozen ? Object.freeze([...b.items]) : b.items;
        const res = { ...b, items };
        expect(listJson(res).equals(Buffer.from(JSON.stringify(res)))).toBe(true);
        // a second response over the same (cached) items, with another id
        const again = { ...res, recommendationId: `${b.recommendationId}x` };
        expect(listJson(again).equals(Buffer.from(JSON.stringify(again)))).toBe(true);
      }),
    );
  });

  it('the list routes serialize anything that is not a list body as plain JSON', () => {
    const serialize = listRouteOptions.serializerCompiler();
    const other = { error: { code: 'x', message: 'y' } };
    expect(serialize(other)).toBe(JSON.stringify(other));
    const withExtra = { recommendationId: 'r', items: [], model: { name: 'm', version: 1 }, page: 2 };
    expect(serialize(withExtra)).toBe(JSON.stringify(withExtra));
  });
});
