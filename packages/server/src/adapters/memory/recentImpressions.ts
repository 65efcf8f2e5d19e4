/** One item shown to a user, as UserOnlineState.impressions lists it. */
export interface ShownItem {
  readonly itemId: string;
  readonly timestamp: number;
}

const NO_ITEMS: readonly ShownItem[] = Object.freeze([]);

/**
 * A user's most recent `max` shown items, oldest first, kept as the lists they were shown in:
 * a circular buffer of (item id array, time) pairs, the oldest list partly dropped when the cap
 * falls inside it. Recording a list allocates nothing (the id array is the recorded list's own,
 * which the attribution map holds anyway) and evicts in O(1) amortized; the `{itemId, timestamp}`
 * objects readers see are built only when read, each once: a later view copies the part of the
 * previous one still held and builds only the items recorded since. A served list used to push
 * ten such objects per request, most never read (a cached list reads nothing): CPU and
 * garbage-collection work on every request.
 *
 * The recorded arrays are kept by reference, so callers must not mutate a list once recorded
 * (the impression log and the attribution map share it already).
 */
export class RecentImpressions {
  private lists: Array<readonly string[] | undefined> = new Array(4).fill(undefined);
  private times: number[] = [0, 0, 0, 0];
  /** slot of the oldest list held */
  private head = 0;
  /** lists held */
  private count = 0;
  /** leading items of the oldest list already dropped */
  private skip = 0;
  /** items held */
  private held = 0;
  /** items ever recorded: the absolute position after the newest item */
  private recorded = 0;
  /** the last view built and the value of `recorded` when it was built */
  private view: readonly ShownItem[] = NO_ITEMS;
  private viewEnd = 0;

  constructor(private readonly max: number) {}

  /** number of items held */
  get size(): number {
    return this.held;
  }

  /** number of recorded lists still held (at most `max`: lists past the cap are released) */
  get listCount(): number {
    return this.count;
  }

  /** Records the items of one shown list (oldest first within it), all at `timestamp`. */
  push(itemIds: readonly string[], timestamp: number): void {
    const n = itemIds.length;
    if (n === 0 || this.max <= 0) return;
    if (this.count === this.lists.length) this.grow();
    const slot = (this.head + this.count) % this.lists.length;
    this.lists[slot] = itemIds;
    this.times[slot] = timestamp;
    this.count++;
    this.held += n;
    this.recorded += n;
    let excess = this.held - this.max;
    while (excess > 0) {
      const oldest = (this.lists[this.head] as readonly string[]).length - this.skip;
      if (oldest > excess) {
        this.skip += excess;
        this.held -= excess;
        break;
      }
      this.lists[this.head] = undefined;
      this.head = (this.head + 1) % this.lists.length;
      this.count--;
      this.skip = 0;
      this.held -= oldest;
      excess -= oldest;
    }
  }

  /**
   * The held items, oldest first: the same array until the next push. Readers must not change
   * it (nor its items), as they never changed the live array this replaced.
   */
  items(): readonly ShownItem[] {
    if (this.viewEnd === this.recorded) return this.view;
    if (this.held === 0) return this.setView(NO_ITEMS);
    const old = this.view;
    // absolute positions: the old view covers [oldStart, viewEnd), the new one [start, recorded);
    // what they share is a suffix of the old and a prefix of the new, copied in one slice
    const oldStart = this.viewEnd - old.length;
    const start = this.recorded - this.held;
    const out: ShownItem[] = this.viewEnd > start ? old.slice(start - oldStart) : [];
    const from = start + out.length;
    // the list holding position `from`, found from the newest end (new items are the newest)
    const cap = this.lists.length;
    let k = this.count - 1;
    let listStart = this.recorded - (this.lists[(this.head + k) % cap] as readonly string[]).length;
    while (listStart > from) {
      k--;
      listStart -= (this.lists[(this.head + k) % cap] as readonly string[]).length;
    }
    for (let pos = from; k < this.count; k++) {
      const slot = (this.head + k) % cap;
      const list = this.lists[slot] as readonly string[];
      const timestamp = this.times[slot] as number;
      for (let j = pos - listStart; j < list.length; j++) out.push({ itemId: list[j] as string, timestamp });
      listStart += list.length;
      pos = listStart;
    }
    return this.setView(out);
  }

  private setView(view: readonly ShownItem[]): readonly ShownItem[] {
    this.view = view;
    this.viewEnd = this.recorded;
    return view;
  }

  /** Replaces everything held by `items` (oldest first), consecutive items of one time as one list. */
  replace(items: readonly ShownItem[]): void {
    this.lists = new Array(4).fill(undefined);
    this.times = [0, 0, 0, 0];
    this.head = this.count = this.skip = this.held = 0;
    this.setView(NO_ITEMS);
    for (let k = 0; k < items.length; ) {
      const timestamp = (items[k] as ShownItem).timestamp;
      const ids: string[] = [];
      for (; k < items.length && (items[k] as ShownItem).timestamp === timestamp; k++) ids.push((items[k] as ShownItem).itemId);
      this.push(ids, timestamp);
    }
  }

  /** Doubles the ring, the oldest list moved to slot 0. */
  private grow(): void {
    const cap = this.lists.length;
    const lists: Array<readonly string[] | undefined> = new Array(cap * 2).fill(undefined);
    const times: number[] = new Array(cap * 2).fill(0);
    for (let k = 0; k < this.count; k++) {
      lists[k] = this.lists[(this.head + k) % cap];
      times[k] = this.times[(this.head + k) % cap] as number;
    }
    this.lists = lists;
    this.times = times;
    this.head = 0;
  }
}
