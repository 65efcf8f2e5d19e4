import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecencyMap } from './recencyMap.ts';

type Op = { kind: 'touch' | 'getOrCreate' | 'delete' | 'evictOldest'; key: string };

describe('RecencyMap', () => {
  it('agrees with an array kept in order of last use, whatever the operations', () => {
    const op = fc.record({ kind: fc.constantFrom<Op['kind']>('touch', 'getOrCreate', 'delete', 'evictOldest'), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f') });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const map = new RecencyMap<number>();
        // the reference: keys oldest first, values by key
        let order: string[] = [];
        const values = new Map<string, number>();
        let made = 0;
        for (const o of ops) {
          if (o.kind === 'touch') {
            const v = map.touch(o.key, () => ++made);
            if (!values.has(o.key)) values.set(o.key, made);
            order = [...order.filter((k) => k !== o.key), o.key];
            expect(v).toBe(values.get(o.key));
          } else if (o.kind === 'getOrCreate') {
            const v = map.getOrCreate(o.key, () => ++made);
            if (!values.has(o.key)) {
              values.set(o.key, made);
              order.push(o.key);
            }
            expect(v).toBe(values.get(o.key));
          } else if (o.kind === 'delete') {
            expect(map.delete(o.key)).toBe(values.delete(o.key));
            order = order.filter((k) => k !== o.key);
          } else {
            const oldest = map.oldest();
            expect(oldest?.[0]).toBe(order[0]);
            if (oldest) {
              map.delete(oldest[0]);
              values.delete(order.shift() as string);
            }
          }
          expect(map.size).toBe(order.length);
          expect([...map.entries()].map(([k]) => k)).toEqual(order);
          for (const [k, v] of values) expect(map.get(k)).toBe(v);
        }
      }),
    );
  });

  it('lets entries() callers delete the entry they were given', () => {
    const map = new RecencyMap<number>();
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) map.touch(k, () => i);
    for (const [k, v] of map.entries()) if (v % 2 === 0) map.delete(k);
    expect([...map.entries()]).toEqual([['b', 1], ['d', 3]]);
  });
});
