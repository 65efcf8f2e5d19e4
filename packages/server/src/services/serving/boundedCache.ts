/**
 * A Map with at most `max` entries; past it, the entry set longest ago goes first (setting a key
 * again makes it the newest). The order lives in an array of the set entries with a moving head,
 * so finding the oldest is O(1): `map.keys().next()` walks over the holes every earlier delete
 * left at the front of a Map until V8 rehashes it, which at tens of thousands of entries costs
 * tens of microseconds per eviction (see the memory online state's attribution ring).
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, Slot<K, V>>();
  /** slots in the order they were set; a slot replaced by a later set of its key is stale */
  private order: Slot<K, V>[] = [];
  private head = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    if (!this.map.has(key) && this.map.size >= this.max) this.evictOldest();
    const slot = { key, value };
    this.map.set(key, slot);
    this.order.push(slot);
    // stale slots (keys set again) and evicted ones are dropped once they are half the array
    if (this.order.length - this.head > 2 * this.map.size + 1024 || (this.head > 1024 && this.head * 2 > this.order.length)) this.compact();
  }

  /** Forgets a key (its slot in the order goes stale and is skipped). */
  delete(key: K): void {
    this.map.delete(key);
  }

  private evictOldest(): void {
    while (this.head < this.order.length) {
      const slot = this.order[this.head++] as Slot<K, V>;
      if (this.map.get(slot.key) === slot) {
        this.map.delete(slot.key);
        return;
      }
    }
  }

  private compact(): void {
    const live: Slot<K, V>[] = [];
    for (let k = this.head; k < this.order.length; k++) {
      const slot = this.order[k] as Slot<K, V>;
      if (this.map.get(slot.key) === slot) live.push(slot);
    }
    this.order = live;
    this.head = 0;
  }
}

interface Slot<K, V> {
  key: K;
  value: V;
}
