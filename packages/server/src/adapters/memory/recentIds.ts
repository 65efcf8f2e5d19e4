/**
 * The newest `capacity` ids (oldest overwritten first), each in a slot of a ring, found by id: the
 * ring of ids, a parallel ring of 32-bit fingerprints (length and last eight characters), and
 * an open-addressing table from fingerprint to ring slot (linear probing in an Int32Array,
 * backward-shift deletion when a slot is overwritten). Adding hashes a few characters, probes
 * the table and allocates nothing once full; a lookup probes the table and compares ids only
 * where fingerprints match. What belongs to an id the owner keeps in its own columns, by slot,
 * so that a record of ~20 s does not have to be a heap object (see ImpressionRing).
 *
 * It replaces a Map of every served recommendation id: inserting a fresh string key into a Map
 * of 100,000 and deleting the oldest cost ~1-1.5 µs per served list. A lookup by scanning the
 * fingerprints alone (0.2-0.3 ms for 100,000) would let any client that asks for unknown ids
 * (GET /v1/recommendations/{id}) burn a core with a few thousand requests per second.
 */
export class RecentIds {
  private ids: Array<string | undefined> = [];
  private prints = new Int32Array(0);
  /** bucket → ring slot + 1 (0: empty); at most half full */
  private readonly table: Int32Array;
  private readonly mask: number;
  /** slot the next id goes to */
  private next = 0;
  /** ids held (at most capacity) */
  private count = 0;

  constructor(readonly capacity: number) {
    let buckets = 16;
    while (buckets < 2 * capacity) buckets *= 2;
    this.table = new Int32Array(buckets);
    this.mask = buckets - 1;
  }

  get size(): number {
    return this.count;
  }

  /**
   * Adds the id in the oldest slot (or a new one while the ring fills: slots are handed out 0, 1,
   * 2, … up to capacity − 1, then again from 0) and returns that slot; -1 when capacity is 0.
   */
  add(id: string): number {
    if (this.capacity <= 0) return -1;
    if (this.next === this.prints.length && this.prints.length < this.capacity) this.grow();
    const slot = this.next;
    // an empty slot (never used, or removed) adds to the count; an overwritten one does not
    if (this.ids[slot] !== undefined) this.unindex(slot);
    else this.count++;
    const print = fingerprint(id);
    this.ids[slot] = id;
    this.prints[slot] = print;
    let b = print & this.mask;
    while (this.table[b] !== 0) b = (b + 1) & this.mask;
    this.table[b] = slot + 1;
    this.next = slot + 1 === this.capacity ? 0 : slot + 1;
    return slot;
  }

  /** The slot of the newest entry with this id, or -1. */
  find(id: string): number {
    const print = fingerprint(id);
    let found = -1;
    let foundAge = Infinity;
    // every held record with this fingerprint is in the probe run from its home bucket
    for (let b = print & this.mask; this.table[b] !== 0; b = (b + 1) & this.mask) {
      const slot = (this.table[b] as number) - 1;
      if (this.prints[slot] !== print) continue;
      if (this.ids[slot] !== id) continue;
      // the same id recorded twice: the newest answers (age 0 is the slot written last)
      const age = (this.next - 1 - slot + this.capacity) % this.capacity;
      if (age < foundAge) {
        found = slot;
        foundAge = age;
      }
    }
    return found;
  }

  /** The id in a slot that `add` returned. */
  idAt(slot: number): string | undefined {
    return this.ids[slot];
  }

  /** Empties a slot that `add` returned: its id is found no more (the slot is reused in turn). */
  remove(slot: number): void {
    if (this.ids[slot] === undefined) return;
    this.unindex(slot);
    this.ids[slot] = undefined;
    this.count--;
  }

  /** Removes the slot's entry from the table, shifting later entries of its probe run back. */
  private unindex(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = (this.prints[slot] as number) & mask;
    while (table[i] !== slot + 1) i = (i + 1) & mask;
    table[i] = 0;
    for (let j = (i + 1) & mask; table[j] !== 0; j = (j + 1) & mask) {
      const home = (this.prints[(table[j] as number) - 1] as number) & mask;
      // the entry at j may move into the hole at i only if its home is not cyclically in (i, j]
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (stays) continue;
      table[i] = table[j] as number;
      table[j] = 0;
      i = j;
    }
  }

  /** Doubles the rings up to capacity while they fill (they never wrap before they are full). */
  private grow(): void {
    const prints = new Int32Array(Math.min(this.capacity, Math.max(1024, this.prints.length * 2)));
    prints.set(this.prints);
    this.prints = prints;
  }
}

/** The id's length and last eight characters (a UUID's are random hex) mixed into 32 bits. */
function fingerprint(id: string): number {
  let h = id.length;
  for (let k = id.length - 1, end = Math.max(0, id.length - 8); k >= end; k--) h = (Math.imul(h, 31) + id.charCodeAt(k)) | 0;
  // spread the characters' low bits over the bits the table's mask keeps
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return h ^ (h >>> 16);
}
