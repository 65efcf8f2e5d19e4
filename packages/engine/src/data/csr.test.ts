import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { csrFromTriplets, entryIndex, transpose, row } from './csr.ts';

const triplets = fc
  .record({ rows: fc.integer({ min: 1, max: 8 }), cols: fc.integer({ min: 1, max: 8 }) })
  .chain(({ rows, cols }) =>
    fc.record({
      rows: fc.constant(rows),
      cols: fc.constant(cols),
      entries: fc.array(fc.tuple(fc.nat(rows - 1), fc.nat(cols - 1), fc.integer({ min: 1, max: 9 })), { maxLength: 40 }),
    }),
  );

function dense(rows: number, cols: number, entries: [number, number, number][], rule: 'sum' | 'max' | 'latest'): number[][] {
  const d = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  const seen = new Set<string>();
  for (const [r, c, v] of entries) {
    const key = `${r},${c}`;
    const cur = d[r]![c]!;
    if (!seen.has(key)) d[r]![c] = v;
    else if (rule === 'sum') d[r]![c] = cur + v;
    else if (rule === 'max') d[r]![c] = Math.max(cur, v);
    else d[r]![c] = v;
    seen.add(key);
  }
  return d;
}

function toDense(m: ReturnType<typeof csrFromTriplets>): number[][] {
  const d = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let r = 0; r < m.rows; r++) {
    const { indices, values } = row(m, r);
    for (let k = 0; k < indices.length; k++) d[r]![indices[k]!] = values[k]!;
  }
  return d;
}

describe('csrFromTriplets', () => {
  for (const rule of ['sum', 'max', 'latest'] as const) {
    it(`merges duplicates by ${rule} and matches a dense reference`, () => {
      fc.assert(
        fc.property(triplets, ({ rows, cols, entries }) => {
          const m = csrFromTriplets({ rows, cols }, { rows: entries.map((e) => e[0]), cols: entries.map((e) => e[1]), values: entries.map((e) => e[2]) }, rule);
          expect(toDense(m)).toEqual(dense(rows, cols, entries, rule));
          for (let r = 0; r < rows; r++) {
            const idx = Array.from(row(m, r).indices);
            expect(idx).toEqual([...new Set(idx)].sort((a, b) => a - b));
          }
        }),
      );
    });
  }

  it('transpose twice is the identity and swaps entries', () => {
    fc.assert(
      fc.property(triplets, ({ rows, cols, entries }) => {
        const m = csrFromTriplets({ rows, cols }, { rows: entries.map((e) => e[0]), cols: entries.map((e) => e[1]), values: entries.map((e) => e[2]) });
        const t = transpose(m);
        const d = toDense(m);
        const dt = toDense(t);
        for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(dt[c]![r]).toBe(d[r]![c]);
        expect(toDense(transpose(t))).toEqual(d);
      }),
    );
  });

  it('rejects out-of-range indices', () => {
    expect(() => csrFromTriplets({ rows: 2, cols: 2 }, { rows: [2], cols: [0], values: [1] })).toThrow(/row 2 out of range/);
  });
});

describe('entryIndex', () => {
  it('finds every stored entry and nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 5 })), { maxLength: 40 }), (trips) => {
        const m = csrFromTriplets({ rows: 6, cols: 10 }, { rows: trips.map((t) => t[0]), cols: trips.map((t) => t[1]), values: trips.map((t) => t[2]) });
        for (let r = 0; r < 6; r++) {
          for (let c = 0; c < 10; c++) {
            const k = entryIndex(m, r, c);
            const present = trips.some((t) => t[0] === r && t[1] === c);
            if (present !== k >= 0) return false;
            if (k >= 0 && (k < (m.indptr[r] as number) || k >= (m.indptr[r + 1] as number) || m.indices[k] !== c)) return false;
          }
        }
        return true;
      }),
    );
  });
});
