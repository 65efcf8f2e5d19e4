import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BoundedCache } from './boundedCache.ts';

describe('BoundedCache', () => {
  it('keeps the same entries as a Map that drops the least recently set key past the bound, whatever the sets and deletes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: -5, max: 1000 })), { maxLength: 3000 }), (max, sets) => {
        const cache = new BoundedCache<number, number>(max);
        const reference = new Map<number, number>();
        for (const [key, value] of sets) {
          // a negative value stands for a delete of the key
          if (value < 0) {
            cache.delete(key);
            reference.delete(key);
            continue;
          }
          cache.set(key, value);
          reference.delete(key);
          reference.set(key, value);
          if (reference.size > max) reference.delete(reference.keys().next().value as number);
        }
        expect(cache.size).toBe(reference.size);
        for (let key = 0; key <= 12; key++) expect(cache.get(key)).toBe(reference.get(key));
      }),
    );
  });

  it('stays bounded when the same few keys are set over and over below the bound', () => {
    const cache = new BoundedCache<string, number>(1000);
    for (let k = 0; k < 100_000; k++) cache.set(`user-${k % 10}`, k);
    expect(cache.size).toBe(10);
    // the order array is compacted: its stale slots do not pile up
    expect((cache as unknown as { order: unknown[] }).order.length).toBeLessThan(2 * 10 + 1024 + 2);
    expect(cache.get('user-3')).toBe(99_993);
  });
});
