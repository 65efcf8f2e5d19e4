import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csrFromTriplets } from '../data/csr.ts';
import { sparseGram } from './sparseGram.ts';

describe('sparseGram', () => {
  it('equals the dense XᵀX (+ diagonal) for binary and weighted data', () => {
    const arb = fc
      .record({ rows: fc.integer({ min: 1, max: 12 }), cols: fc.integer({ min: 1, max: 15 }), weighted: fc.boolean() })
      .chain(({ rows, cols, weighted }) =>
        fc.record({
          rows: fc.constant(rows),
          cols: fc.constant(cols),
          cells: fc.array(fc.tuple(fc.nat(rows - 1), fc.nat(cols - 1), weighted ? fc.integer({ min: 1, max: 5 }) : fc.constant(1)), { maxLength: 60 }),
          diag: fc.integer({ min: 0, max: 3 }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ rows, cols, cells, diag }) => {
        const csr = csrFromTriplets(
          { rows, cols },
          { rows: cells.map((c) => c[0]), cols: cells.map((c) => c[1]), values: cells.map((c) => c[2]) },
          'max',
        );
        const dense = new Float64Array(rows * cols);
        for (let r = 0; r < rows; r++)
          for (let p = csr.indptr[r] as number; p < (csr.indptr[r + 1] as number); p++) dense[r * cols + (csr.indices[p] as number)] = csr.data[p] as number;
        const n = cols + 2; // n may exceed the column count (items never seen)
        const g32 = sparseGram(csr, n, { diagonal: diag });
        const g64 = sparseGram(csr, n, { precision: 'f64', diagonal: diag });
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = i === j ? diag : 0;
            if (i < cols && j < cols) for (let r = 0; r < rows; r++) s += (dense[r * cols + i] as number) * (dense[r * cols + j] as number);
            expect(g32[i * n + j]).toBe(s);
            expect(g64[i * n + j]).toBe(s);
          }
      }),
      { numRuns: 150 },
    );
  });
});
