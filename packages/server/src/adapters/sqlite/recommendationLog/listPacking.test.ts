import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ShownList } from '../../../ports/store.ts';
import { forEachPackedRow, packShownLists, type LogRowValues } from './listPacking.ts';

const text = fc.string({ unit: 'binary', maxLength: 10 });
const list: fc.Arbitrary<ShownList> = fc.record(
  {
    recommendationId: text,
    userId: text,
    surface: text,
    modelVersion: fc.integer({ min: 0, max: 1e6 }),
    timestamp: fc.integer({ min: 0, max: 4e12 }),
    itemIds: fc.array(text, { maxLength: 5 }),
    request: fc.jsonValue({ maxDepth: 3 }),
    firstId: text,
    page: fc.integer({ min: 1, max: 50 }),
  },
  { requiredKeys: ['recommendationId', 'surface', 'timestamp', 'itemIds', 'firstId', 'page'] },
);

/** the row the log's insert bound for a list before lists were packed */
const directRow = (l: ShownList): LogRowValues => [l.recommendationId, l.userId ?? null, l.surface, l.modelVersion ?? null, l.timestamp, JSON.stringify(l.itemIds), l.request === undefined ? null : JSON.stringify(l.request), l.firstId, l.page];

describe('listPacking', () => {
  it('yields, after a structured clone, the row values of every list in order, absent fields as NULL', () => {
    fc.assert(
      fc.property(fc.array(list, { maxLength: 8 }), (lists) => {
        const rows: LogRowValues[] = [];
        forEachPackedRow(structuredClone(packShownLists(lists)), (v) => rows.push([...v] as LogRowValues));
        expect(rows).toEqual(lists.map(directRow));
      }),
      { numRuns: 300 },
    );
  });
});

describe('listPacking of shared item id arrays', () => {
  it('writes the current ids of an unfrozen array that was packed before and changed since', () => {
    const ids = ['a', 'b'];
    const base: ShownList = { recommendationId: 'r1', surface: 'user', timestamp: 1, itemIds: ids, firstId: 'r1', page: 1 };
    packShownLists([base]);
    ids.push('c');
    const rows: LogRowValues[] = [];
    forEachPackedRow(packShownLists([{ ...base, recommendationId: 'r2' }]), (v) => rows.push([...v] as LogRowValues));
    expect(rows[0]![5]).toBe('["a","b","c"]');
  });

  it('writes a frozen array shared by many lists the same for each', () => {
    const ids = Object.freeze(['x', 'y']) as string[];
    const lists = Array.from({ length: 3 }, (_, k): ShownList => ({ recommendationId: `r${k}`, surface: 'user', timestamp: k, itemIds: ids, firstId: `r${k}`, page: 1 }));
    const rows: string[] = [];
    forEachPackedRow(packShownLists(lists), (v) => rows.push(v[5]));
    expect(rows).toEqual(['["x","y"]', '["x","y"]', '["x","y"]']);
  });
});
