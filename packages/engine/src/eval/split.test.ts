import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { globalTemporalSplit, leaveLastNSplit, perUserTemporalSplit, randomSplit, testCount, validationSplit, type Split, type SplitRow } from './split.ts';
import { compareIds } from './order.ts';

type Row = SplitRow & { id: number };

// rows with unique ids so partitions can be checked by identity
const arbRows = fc
  .array(fc.record({ u: fc.integer({ min: 0, max: 6 }), i: fc.integer({ min: 0, max: 30 }), t: fc.integer({ min: 0, max: 50 }) }), { maxLength: 120 })
  .map((xs) => xs.map((x, id): Row => ({ id, userId: `u${x.u}`, itemId: String(x.i), timestamp: x.t })));

function expectPartition(rows: Row[], s: Split<Row>): void {
  const ids = [...s.train, ...s.test].map((r) => r.id).sort((a, b) => a - b);
  expect(ids).toEqual(rows.map((r) => r.id));
}

const byUser = (rows: Row[]) => {
  const m = new Map<string, Row[]>();
  for (const r of rows) m.set(r.userId, [...(m.get(r.userId) ?? []), r]);
  return m;
};
const later = (a: Row, b: Row) => (a.timestamp as number) - (b.timestamp as number) || compareIds(a.itemId, b.itemId);

describe('splits', () => {
  it('every split is a disjoint cover of its input', () => {
    fc.assert(
      fc.property(arbRows, fc.integer(), (rows, seed) => {
        expectPartition(rows, perUserTemporalSplit(rows));
        expectPartition(rows, globalTemporalSplit(rows, 0.3));
        expectPartition(rows, leaveLastNSplit(rows, 2));
        expectPartition(rows, randomSplit(rows, { seed }));
        expectPartition(rows, randomSplit(rows, { seed, perUser: false }));
      }),
    );
  });

  it('per-user temporal: P1 count, and every test row is no earlier than any train row of that user', () => {
    fc.assert(
      fc.property(arbRows, (rows) => {
        const s = perUserTemporalSplit(rows);
        const train = byUser(s.train);
        const test = byUser(s.test);
        for (const [u, all] of byUser(rows)) {
          const t = test.get(u) ?? [];
          expect(t.length).toBe(all.length >= 5 ? testCount(all.length, 0.2) : 0);
          for (const a of t) for (const b of train.get(u) ?? []) expect(later(a, b)).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  it('P1 rule on a worked example: n = 7 gives floor(1.9) = 1, n = 8 gives floor(2.1) = 2', () => {
    expect(testCount(7, 0.2)).toBe(1);
    expect(testCount(8, 0.2)).toBe(2);
    expect(testCount(4, 0.2)).toBe(1); // but users under 5 stay in train:
    const rows: Row[] = Array.from({ length: 4 }, (_, k) => ({ id: k, userId: 'a', itemId: `${k}`, timestamp: k }));
    expect(perUserTemporalSplit(rows).test).toEqual([]);
  });

  it('ties in time go by item id (numeric ids compare as numbers)', () => {
    const rows: Row[] = ['10', '9', '2', '30', '1'].map((itemId, id) => ({ id, userId: 'a', itemId, timestamp: 5 }));
    expect(perUserTemporalSplit(rows).test.map((r) => r.itemId)).toEqual(['30']);
  });

  it('global temporal: test is the latest fraction overall', () => {
    fc.assert(
      fc.property(arbRows, (rows) => {
        const s = globalTemporalSplit(rows, 0.25);
        expect(s.test.length).toBe(testCount(rows.length, 0.25));
        for (const a of s.test) for (const b of s.train) expect(later(a, b)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('leave-last-n keeps each eligible user’s latest n in test', () => {
    fc.assert(
      fc.property(arbRows, fc.integer({ min: 1, max: 3 }), (rows, n) => {
        const s = leaveLastNSplit(rows, n);
        const test = byUser(s.test);
        for (const [u, all] of byUser(rows)) expect((test.get(u) ?? []).length).toBe(all.length > n ? n : 0);
      }),
    );
  });

  it('random: the same seed gives the same split; per-user counts follow the P1 rule', () => {
    fc.assert(
      fc.property(arbRows, fc.integer(), (rows, seed) => {
        const a = randomSplit(rows, { seed });
        const b = randomSplit(rows, { seed });
        expect(a.test.map((r) => r.id)).toEqual(b.test.map((r) => r.id));
        const test = byUser(a.test);
        for (const [u, all] of byUser(rows)) expect((test.get(u) ?? []).length).toBe(all.length >= 5 ? testCount(all.length, 0.2) : 0);
      }),
    );
  });

  it('validation split is temporal with timestamps, random without', () => {
    const timed: Row[] = Array.from({ length: 10 }, (_, k) => ({ id: k, userId: 'a', itemId: `${k}`, timestamp: k }));
    expect(validationSplit(timed).kind).toBe('per-user-temporal');
    expect(validationSplit(timed).test.map((r) => r.itemId)).toEqual(['8', '9']);
    const untimed = timed.map(({ timestamp: _t, ...r }) => r);
    expect(validationSplit(untimed).kind).toBe('random');
  });
});
