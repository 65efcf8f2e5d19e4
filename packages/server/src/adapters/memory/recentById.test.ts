import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentById } from './recentById.ts';

interface Rec {
  recommendationId: string;
  n: number;
}

// ids that share a length and last eight characters have one fingerprint: the ids decide
const id = fc.constantFrom('r1', 'r2', 'a-00000000', 'b-00000000', 'c-00000000', 'x-12345678', '', '0190f3a2-7c1e-7abc-8def-0123456789ab');

describe('RecentById', () => {
  it('finds the newest of the last `capacity` records with an id, like a search of an appending array', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.array(fc.oneof(fc.record({ add: id }), fc.record({ get: id })), { maxLength: 60 }), (capacity, ops) => {
        const recent = new RecentById<Rec>(capacity);
        const all: Rec[] = [];
        for (const o of ops) {
          if ('add' in o) {
            const rec = { recommendationId: o.add, n: all.length };
            recent.add(rec);
            all.push(rec);
          } else {
            const kept = capacity > 0 ? all.slice(-capacity) : [];
            expect(recent.get(o.get)).toBe(kept.findLast((r) => r.recommendationId === o.get));
          }
          expect(recent.size).toBe(Math.min(capacity, all.length));
        }
      }),
    );
  });

  it('keeps exactly the newest records while its rings grow and then wrap', () => {
    const recent = new RecentById<Rec>(3000);
    for (let n = 0; n < 7500; n++) recent.add({ recommendationId: `rec-${n}`, n });
    expect(recent.size).toBe(3000);
    const found: number[] = [];
    for (let n = 0; n < 7500; n++) if (recent.get(`rec-${n}`)) found.push(n);
    expect(found).toEqual(Array.from({ length: 3000 }, (_, k) => 4500 + k));
    expect(recent.get('rec-7499')?.n).toBe(7499);
  });

  it('finds, among many distinct ids and many wraps, exactly the newest records (the table drops overwritten slots)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 400 }), (capacity, adds) => {
        const recent = new RecentById<Rec>(capacity);
        const all: Rec[] = [];
        for (const k of adds) {
          const rec = { recommendationId: `0190f3a2-7c1e-7abc-8def-${String(k).padStart(12, '0')}`, n: all.length };
          recent.add(rec);
          all.push(rec);
        }
        const kept = all.slice(-capacity);
        for (let k = 0; k <= 120; k++) {
          const id = `0190f3a2-7c1e-7abc-8def-${String(k).padStart(12, '0')}`;
          expect(recent.get(id)).toBe(kept.findLast((r) => r.recommendationId === id));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('answers unknown ids in a full ring with undefined, reading only the ids whose fingerprint matches', () => {
    const recent = new RecentById<Rec>(100_000);
    let compared = 0;
    for (let n = 0; n < 100_000; n++) {
      const rec = { n } as Rec;
      // counts the id reads a lookup makes
      Object.defineProperty(rec, 'recommendationId', { get: () => (compared++, `rec-${n}`) });
      recent.add(rec);
    }
    compared = 0;
    for (let k = 0; k < 1000; k++) expect(recent.get(`unknown-${k}`)).toBeUndefined();
    // only records whose 32-bit fingerprint matches are read: with 100,000 held, about 0.02 per lookup
    expect(compared).toBeLessThan(50);
  });
});
