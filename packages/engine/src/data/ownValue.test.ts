import { describe, expect, it } from 'vitest';
import { ownValue, userKeyedRecord } from './ownValue.ts';

describe('ownValue and userKeyedRecord', () => {
  it('reads only own values, so names Object.prototype has are ordinary keys', () => {
    const plain: Record<string, number> = { a: 1 };
    expect(plain['constructor']).toBeTypeOf('function');
    expect(ownValue(plain, 'constructor')).toBeUndefined();
    expect(ownValue(plain, 'toString')).toBeUndefined();
    expect(ownValue(plain, 'a')).toBe(1);
    // JSON.parse makes "__proto__" an own property: found as such
    expect(ownValue(JSON.parse('{"__proto__": 2}') as Record<string, number>, '__proto__')).toBe(2);
  });

  it('stores "__proto__" as a value instead of replacing the prototype, and survives a JSON round trip', () => {
    const r = userKeyedRecord<number>();
    r['__proto__'] = 3;
    r['constructor'] = 4;
    expect(Object.keys(r).sort()).toEqual(['__proto__', 'constructor']);
    const back = JSON.parse(JSON.stringify(r)) as Record<string, number>;
    expect(ownValue(back, '__proto__')).toBe(3);
    expect(ownValue(back, 'constructor')).toBe(4);
    expect(ownValue(back, 'valueOf')).toBeUndefined();
  });
});
