import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentIds } from './recentIds.ts';

// ids that share a length and last eight characters have one fingerprint: the ids decide
const id = fc.constantFrom('r1', 'r2', 'a-00000000', 'b-00000000', 'c-00000000', 'x-12345678', '', '0190f3a2-7c1e-7abc-8def-0123456789ab');

/** A RecentIds with what each slot was added as: the number of the add, as an owner's column would keep it. */
class Numbered {
  readonly ids: RecentIds;
  private readonly adds: number[] = [];
  private n = 0;

  constructor(capacity: number) {
    this.ids = new RecentIds(capacity);
  }

  add(id: string): void {
    const slot = this.ids.add(id);
    if (slot >= 0) this.adds[slot] = this.n;
    this.n++;
  }

  /** the number of the newest add of `id` still held, or undefined */
  get(id: string): number | undefined {
    const slot = this.ids.find(id);
    if (slot < 0) return undefined;
    expect(this.ids.idAt(slot)).toBe(id);
    return this.adds[slot];
  }
}

describe('RecentIds', () => {
  it('finds the newest of the last `capacity` ids, like a search of an appending array', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), fc.array(fc.oneof(fc.record({ add: id }), fc.record({ get: id })), { maxLength: 60 }), (capacity, ops) => {
        const recent = new Numbered(capacity);
        const all: string[] = [];
        for (const o of ops) {
          if ('add' in o) {
            recent.add(o.add);
            all.push(o.add);
          } else {
            const kept = capacity > 0 ? all.length - Math.min(capacity, all.length) : all.length;
            const k = all.lastIndexOf(o.get);
            expect(recent.get(o.get)).toBe(k >= kept ? k : undefined);
          }
          expect(recent.ids.size).toBe(Math.min(capacity, all.length));
        }
      }),
    );
  });

  it('hands out slots 0, 1, 2, … while it fills, then the oldest again', () => {
    const recent = new RecentIds(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((x) => recent.add(x))).toEqual([0, 1, 2, 0, 1]);
    expect(new RecentIds(0).add('a')).toBe(-1);
  });

  it('keeps exactly the newest ids while its rings grow and then wrap', () => {
    const recent = new Numbered(3000);
    for (let n = 0; n < 7500; n++) recent.add(`rec-${n}`);
    expect(recent.ids.size).toBe(3000);
    const found: number[] = [];
    for (let n = 0; n < 7500; n++) if (recent.get(`rec-${n}`) !== undefined) found.push(n);
    expect(found).toEqual(Array.from({ length: 3000 }, (_, k) => 4500 + k));
    expect(recent.get('rec-7499')).toBe(7499);
  });

  it('finds, among many distinct ids and many wraps, exactly the newest ones (the table drops overwritten slots)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 400 }), (capacity, adds) => {
        const recent = new Numbered(capacity);
        const all: string[] = [];
        for (const k of adds) {
          const x = `0190f3a2-7c1e-7abc-8def-${String(k).padStart(12, '0')}`;
          recent.add(x);
          all.push(x);
        }
        const kept = all.length - Math.min(capacity, all.length);
        for (let k = 0; k <= 120; k++) {
          const x = `0190f3a2-7c1e-7abc-8def-${String(k).padStart(12, '0')}`;
          const at = all.lastIndexOf(x);
          expect(recent.get(x)).toBe(at >= kept ? at : undefined);
        }
      }),
      { numRuns: 200 },
    );
  });
});
