import { describe, expect, it } from 'vitest';
import type { CatalogItem, PropertyValue } from '../types.ts';
import { CapCounter } from './caps.ts';

const item = (id: string, properties: Record<string, PropertyValue>): CatalogItem => ({ id, index: -1, properties, available: true });

describe('CapCounter', () => {
  it('holds at most max items per value of a property, and leaves items without the property alone', () => {
    const caps = new CapCounter([{ property: 'brand', max: 2 }]);
    const kept = [item('a', { brand: 'x' }), item('b', { brand: 'x' }), item('c', { brand: 'x' }), item('d', { brand: 'y' }), item('e', {}), item('f', {})].filter((it) => {
      if (!caps.allows(it)) return false;
      caps.add(it);
      return true;
    });
    expect(kept.map((it) => it.id)).toEqual(['a', 'b', 'd', 'e', 'f']);
  });

  it("treats properties named like Object.prototype's as ordinary ones", () => {
    // items without "valueOf" used to share one value (Object.prototype.valueOf) and be capped together
    for (const property of ['valueOf', 'constructor', 'toString']) {
      const caps = new CapCounter([{ property, max: 1 }]);
      const kept = [item('a', {}), item('b', {}), item('c', { [property]: 'x' }), item('d', { [property]: 'x' })].filter((it) => {
        if (!caps.allows(it)) return false;
        caps.add(it);
        return true;
      });
      expect(kept.map((it) => it.id), property).toEqual(['a', 'b', 'c']);
    }
  });
});
