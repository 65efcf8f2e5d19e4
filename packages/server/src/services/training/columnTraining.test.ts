import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildAssociationIndex, buildEvalData, buildPopularityIndex, buildTrendingIndex, globalTemporalSplit, perUserTemporalSplit, type EvalData, type Interaction } from '@attune/engine';
import { evalDataFromColumns, OUT, TEST, TRAIN } from './columnEvalData.ts';
import { associationsFromColumns, BASKET_TYPES, popularityFromColumns, trendingFromColumns } from './columnIndexes.ts';
import { globalTemporalTest, perUserTemporalTest } from './columnSplit.ts';
import { EventColumns } from './eventColumns.ts';

// numeric-looking and plain ids, so compareIds' two orders (2 < 10, "a" < "b") both matter
const ids = (prefix: string, n: number) => fc.integer({ min: 0, max: n - 1 }).map((k) => (k % 3 === 0 ? String(k * 7) : `${prefix}${k}`));
const TYPES = ['view', 'click', 'purchase', 'cart', 'add-to-cart', 'dislike', 'rating'];
const row = fc.record({
  userId: ids('u', 9),
  itemId: ids('i', 12),
  type: fc.constantFrom(...TYPES),
  // few distinct times, so ties (broken by item id, then position) are common; 20-minute steps,
  // so a 30-minute basket gap joins neighbours and splits events two steps apart
  timestamp: fc.integer({ min: 0, max: 15 }).map((t) => 1_700_000_000_000 + t * 1_200_000),
});
const rows = fc.array(row, { minLength: 0, maxLength: 120 });
const weights = fc.record({ view: fc.constantFrom(1, 0.5, 0), click: fc.constantFrom(1, 2), purchase: fc.constantFrom(5, 3.3), dislike: fc.constant(0) }, { requiredKeys: [] });

function testFlags(input: readonly Interaction[], test: readonly Interaction[]): Uint8Array {
  const inTest = new Set(test);
  return Uint8Array.from(input, (r) => (inTest.has(r) ? 1 : 0));
}

function plain(d: EvalData) {
  return {
    users: d.users.toJSON(),
    items: d.items.toJSON(),
    train: { rows: d.train.rows, cols: d.train.cols, indptr: [...d.train.indptr], indices: [...d.train.indices], data: [...d.train.data] },
    testUsers: [...d.test.users],
    relevant: d.test.relevant.map((r) => [...r]),
    timestamps: d.timestamps ? [...d.timestamps] : undefined,
    now: d.now,
  };
}

describe('training over event columns equals the engine over interaction objects', () => {
  it('per-user and global temporal splits pick the same test rows', () => {
    fc.assert(
      fc.property(rows, fc.constantFrom(0.2, 0.5), fc.integer({ min: 1, max: 6 }), (input, fraction, min) => {
        const cols = EventColumns.fromInteractions(input);
        expect([...perUserTemporalTest(cols, { testFraction: fraction, minInteractions: min })]).toEqual([...testFlags(input, perUserTemporalSplit(input, { testFraction: fraction, minInteractions: min }).test)]);
        expect([...globalTemporalTest(cols, fraction)]).toEqual([...testFlags(input, globalTemporalSplit(input, fraction).test)]);
      }),
    );
  });

  it('a split of some rows only (auto validation inside the training part) equals the engine split of those rows', () => {
    fc.assert(
      fc.property(rows, fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }), (input, keep) => {
        const cols = EventColumns.fromInteractions(input);
        const eligible = Uint8Array.from(input, (_, p) => (keep[p] ? 1 : 0));
        const subset = input.filter((_, p) => keep[p]);
        const expected = testFlags(subset, perUserTemporalSplit(subset).test);
        const got = perUserTemporalTest(cols, { eligible });
        expect([...got].filter((_, p) => keep[p])).toEqual([...expected]);
        expect([...got].filter((_, p) => !keep[p]).every((f) => f === 0)).toBe(true);
      }),
    );
  });

  it('builds the same evaluation data (id maps, summed float32 matrix, test set, entry times) as buildEvalData', () => {
    fc.assert(
      fc.property(rows, weights, fc.constantFrom(1, 0.5), fc.array(fc.constantFrom(OUT, TRAIN, TEST), { minLength: 120, maxLength: 120 }), (input, typeWeights, defaultWeight, roles) => {
        const cols = EventColumns.fromInteractions(input);
        const weighting = { typeWeights, defaultWeight };
        const role = Uint8Array.from(input, (_, p) => roles[p] as number);
        const train = input.filter((_, p) => role[p] === TRAIN);
        const test = input.filter((_, p) => role[p] === TEST);
        expect(plain(evalDataFromColumns(cols, role, weighting))).toEqual(plain(buildEvalData(train, test, weighting)));
      }),
    );
  });

  it('builds the same popularity, trending and association indexes', () => {
    fc.assert(
      fc.property(rows, weights, (input, typeWeights) => {
        const cols = EventColumns.fromInteractions(input);
        const now = input.reduce((m, r) => Math.max(m, r.timestamp as number), 0);
        expect(popularityFromColumns(cols, typeWeights)).toEqual(buildPopularityIndex(input, { typeWeights }));
        expect(trendingFromColumns(cols, typeWeights, now)).toEqual(buildTrendingIndex(input as Array<Interaction & { timestamp: number }>, { typeWeights, now }));
        expect(associationsFromColumns(cols)).toEqual(buildAssociationIndex(input, { types: BASKET_TYPES }));
      }),
    );
  });

  it('builds the same association rules on dense baskets (few users and items, so pairs reach the support floor)', () => {
    const dense = fc.record({ userId: ids('u', 3), itemId: ids('i', 5), type: fc.constantFrom('purchase', 'cart', 'view'), timestamp: fc.integer({ min: 0, max: 40 }).map((t) => t * 600_000) });
    let withRules = 0;
    fc.assert(
      fc.property(fc.array(dense, { minLength: 20, maxLength: 80 }), (input) => {
        const got = associationsFromColumns(EventColumns.fromInteractions(input));
        expect(got).toEqual(buildAssociationIndex(input, { types: BASKET_TYPES }));
        if (Object.keys(got.rules).length > 0) withRules++;
      }),
      { numRuns: 200 },
    );
    // the generator must reach the rule-building branch, or the property says little
    expect(withRules).toBeGreaterThan(20);
  });

  it('finds a planted pair bought together in two sessions', () => {
    const t0 = 1_700_000_000_000;
    const cols = EventColumns.fromInteractions([
      { userId: 'a', itemId: 'x', type: 'purchase', timestamp: t0 },
      { userId: 'a', itemId: 'y', type: 'cart', timestamp: t0 + 60_000 },
      { userId: 'b', itemId: 'y', type: 'purchase', timestamp: t0 + 3_600_000 },
      { userId: 'b', itemId: 'x', type: 'purchase', timestamp: t0 + 3_660_000 },
      // an hour later: a new basket of user a, alone
      { userId: 'a', itemId: 'z', type: 'purchase', timestamp: t0 + 2 * 3_600_000 },
    ]);
    const index = associationsFromColumns(cols);
    expect(index.baskets).toBe(3);
    expect(index.rules.x?.[0]?.slice(0, 3)).toEqual(['y', 2, 1]);
    expect(index.rules.z).toBeUndefined();
  });

  it('weighs a type named like an Object.prototype member by the default weight', () => {
    const cols = EventColumns.fromInteractions([
      { userId: 'a', itemId: 'x', type: 'constructor', timestamp: 1 },
      { userId: 'a', itemId: 'y', type: 'toString', timestamp: 2 },
    ]);
    const data = evalDataFromColumns(cols, Uint8Array.of(TRAIN, TRAIN), { typeWeights: { view: 1 }, defaultWeight: 0.5 });
    expect([...data.train.data]).toEqual([0.5, 0.5]);
    expect(popularityFromColumns(cols, { view: 1 }).counts).toEqual({ x: 1, y: 1 });
  });

  it('grows past its initial capacity without losing rows', () => {
    const cols = new EventColumns(16);
    for (let k = 0; k < 1000; k++) cols.push(`u${k % 7}`, `i${k % 13}`, k % 2 ? 'view' : 'purchase', k);
    expect(cols.length).toBe(1000);
    expect(cols.users.id(cols.user(999))).toBe(`u${999 % 7}`);
    expect(cols.items.id(cols.item(500))).toBe(`i${500 % 13}`);
    expect(cols.timestamp(999)).toBe(999);
  });

  it('widens its one-byte type column past 256 event types, and the matrix still sums each type by its weight', () => {
    // 300 types, each on its own (user, item) pair and a repeat of pair (u0, i0), so codes above 255 are both stored and summed
    const input: Interaction[] = [];
    const typeWeights: Record<string, number> = {};
    for (let t = 0; t < 300; t++) {
      typeWeights[`t${t}`] = 1 + (t % 7) / 4;
      input.push({ userId: `u${t % 5}`, itemId: `i${t % 11}`, type: `t${t}`, timestamp: t });
      input.push({ userId: 'u0', itemId: 'i0', type: `t${t}`, timestamp: 1000 + t });
    }
    const cols = EventColumns.fromInteractions(input);
    expect(cols.types.size).toBe(300);
    expect(cols.toInteractions()).toEqual(input);
    const role = new Uint8Array(input.length).fill(TRAIN);
    expect(plain(evalDataFromColumns(cols, role, { typeWeights }))).toEqual(plain(buildEvalData(input, [], { typeWeights })));
  });

  it('lets go of its rows on release, keeps its id dictionaries, and can be filled again', () => {
    const cols = EventColumns.fromInteractions([
      { userId: 'a', itemId: 'x', type: 'view', timestamp: 1 },
      { userId: 'b', itemId: 'y', type: 'purchase', timestamp: 2 },
    ]);
    cols.release();
    expect(cols.length).toBe(0);
    expect(cols.toInteractions()).toEqual([]);
    expect(cols.users.toJSON()).toEqual(['a', 'b']);
    cols.push('c', 'x', 'view', 3);
    expect(cols.toInteractions()).toEqual([{ userId: 'c', itemId: 'x', type: 'view', timestamp: 3 }]);
  });
});
