import type { CatalogItem, PropertyValue } from '../types.ts';
import type { Cap } from '../scenario.ts';
import { ownValue } from '../../data/ownValue.ts';

function keys(v: PropertyValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

/** Counts items per property value as the list fills, so "at most N per value" always holds. */
export class CapCounter {
  private readonly counts: Array<Map<string, number>>;

  constructor(private readonly caps: readonly Cap[]) {
    this.counts = caps.map(() => new Map());
  }

  allows(item: CatalogItem): boolean {
    for (let k = 0; k < this.caps.length; k++) {
      const cap = this.caps[k];
      for (const v of keys(ownValue(item.properties, cap.property))) if ((this.counts[k].get(v) ?? 0) >= cap.max) return false;
    }
    return true;
  }

  add(item: CatalogItem): void {
    for (let k = 0; k < this.caps.length; k++) for (const v of keys(ownValue(item.properties, this.caps[k].property))) this.counts[k].set(v, (this.counts[k].get(v) ?? 0) + 1);
  }
}
