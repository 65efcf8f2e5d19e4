import { IdMap, compareIds, type Interaction } from '@attune/engine';

/**
 * The trainer's events as columns: one typed-array entry per item event (user, item and type
 * codes, timestamp) plus the id dictionaries. 17 bytes an event instead of a JS object each (the
 * type code takes one byte while there are at most 256 event types), so a 10M-event training
 * run holds ~170 MB of events rather than gigabytes of objects.
 * Row order is scan order (store seq order), which the splits use to break ties.
 */
export class EventColumns {
  readonly users = new IdMap();
  readonly items = new IdMap();
  readonly types = new IdMap();
  private size = 0;
  private userCol: Int32Array;
  private itemCol: Int32Array;
  private typeCol: Uint8Array | Int32Array;
  private timeCol: Float64Array;
  private userRanks: Int32Array | undefined;
  private itemRanks: Int32Array | undefined;

  /** `capacity`: expected rows (e.g. the store's event count), so the columns are allocated once */
  constructor(capacity = 1024) {
    const n = Math.max(16, Math.floor(capacity));
    this.userCol = new Int32Array(n);
    this.itemCol = new Int32Array(n);
    this.typeCol = new Uint8Array(n);
    this.timeCol = new Float64Array(n);
  }

  static fromInteractions(rows: readonly Interaction[]): EventColumns {
    const cols = new EventColumns(rows.length);
    for (const r of rows) cols.push(r.userId, r.itemId, r.type ?? '', r.timestamp ?? 0);
    return cols;
  }

  get length(): number {
    return this.size;
  }

  push(userId: string, itemId: string, type: string, timestamp: number): void {
    if (this.size === this.userCol.length) this.grow();
    const p = this.size++;
    this.userCol[p] = this.users.add(userId);
    this.itemCol[p] = this.items.add(itemId);
    const t = this.types.add(type);
    // a 257th event type widens the type column once; real data has a handful of types
    if (t > 255 && this.typeCol instanceof Uint8Array) this.typeCol = Int32Array.from(this.typeCol);
    this.typeCol[p] = t;
    this.timeCol[p] = timestamp;
    this.userRanks = undefined;
    this.itemRanks = undefined;
  }

  user(p: number): number {
    return this.userCol[p] as number;
  }

  item(p: number): number {
    return this.itemCol[p] as number;
  }

  type(p: number): number {
    return this.typeCol[p] as number;
  }

  timestamp(p: number): number {
    return this.timeCol[p] as number;
  }

  /** rank of each user code in compareIds order of the ids (the engine's catalogue order) */
  userRank(): Int32Array {
    return (this.userRanks ??= ranksOf(this.users));
  }

  /** rank of each item code in compareIds order of the ids (P1 breaks time ties by the smaller id) */
  itemRank(): Int32Array {
    return (this.itemRanks ??= ranksOf(this.items));
  }

  /**
   * Lets go of the event rows (the column arrays): afterwards there are none (length 0), while
   * the id dictionaries stay. The trainer calls it once the refit data is built, so the columns
   * do not sit beside the model while it is fitted and serialized.
   */
  release(): void {
    this.size = 0;
    this.userCol = new Int32Array(0);
    this.itemCol = new Int32Array(0);
    this.typeCol = new Uint8Array(0);
    this.timeCol = new Float64Array(0);
  }

  /** the rows as engine interactions (tests and small data only: this is what the columns avoid) */
  toInteractions(): Interaction[] {
    const out: Interaction[] = [];
    for (let p = 0; p < this.size; p++) out.push({ userId: this.users.id(this.user(p)), itemId: this.items.id(this.item(p)), type: this.types.id(this.type(p)), timestamp: this.timestamp(p) });
    return out;
  }

  private grow(): void {
    // the count the store reported is a hint: events arriving during the scan still fit
    const n = Math.max(16, Math.ceil(this.userCol.length * 1.5));
    const u = new Int32Array(n);
    u.set(this.userCol);
    this.userCol = u;
    const i = new Int32Array(n);
    i.set(this.itemCol);
    this.itemCol = i;
    const t = this.typeCol instanceof Uint8Array ? new Uint8Array(n) : new Int32Array(n);
    t.set(this.typeCol);
    this.typeCol = t;
    const ts = new Float64Array(n);
    ts.set(this.timeCol);
    this.timeCol = ts;
  }
}

function ranksOf(ids: IdMap): Int32Array {
  const order = Array.from({ length: ids.size }, (_, k) => k).sort((a, b) => compareIds(ids.id(a), ids.id(b)));
  const ranks = new Int32Array(ids.size);
  for (let r = 0; r < order.length; r++) ranks[order[r] as number] = r;
  return ranks;
}
