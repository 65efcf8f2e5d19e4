import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../ports/store.ts';
import { packEvents, unpackEvents } from './eventPacking.ts';

// any string, including empty ones, separators and astral characters: the pack keeps lengths, not delimiters
const text = fc.string({ unit: 'binary', maxLength: 12 });
const event: fc.Arbitrary<NewEvent> = fc.record(
  {
    eventId: text,
    type: text,
    userId: text,
    itemId: text,
    value: fc.double(),
    timestamp: fc.double({ noNaN: true }),
    sessionId: text,
    recommendationId: text,
    context: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
    properties: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
  },
  { requiredKeys: ['type', 'userId', 'timestamp'] },
);

describe('eventPacking', () => {
  it('unpacks, after a structured clone, the groups it packed: every field, absent ones absent', () => {
    fc.assert(
      fc.property(fc.array(fc.array(event, { maxLength: 6 }), { maxLength: 5 }), (groups) => {
        const back = unpackEvents(structuredClone(packEvents(groups)));
        expect(back).toEqual(groups);
        for (let g = 0; g < groups.length; g++)
          for (let k = 0; k < groups[g]!.length; k++) expect(Object.keys(back[g]![k]!).sort()).toEqual(Object.keys(groups[g]![k]!).sort());
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a value of 0, negative zero and NaN apart from an absent value', () => {
    const groups: NewEvent[][] = [[{ type: 't', userId: 'u', timestamp: 1, value: 0 }, { type: 't', userId: 'u', timestamp: 2, value: -0 }, { type: 't', userId: 'u', timestamp: 3, value: Number.NaN }, { type: 't', userId: 'u', timestamp: 4 }]];
    const [back] = unpackEvents(packEvents(groups));
    expect(back![0]!.value).toBe(0);
    expect(Object.is(back![1]!.value, -0)).toBe(true);
    expect(back![2]!.value).toBeNaN();
    expect('value' in back![3]!).toBe(false);
  });
});
