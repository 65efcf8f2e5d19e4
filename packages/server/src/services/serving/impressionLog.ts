import type { Impression, OnlineState } from '../../ports/onlineState.ts';
import type { ShownList, Store } from '../../ports/store.ts';

/** Collection of the legacy log (one document per flushed batch), migrated into the table at start. */
export const LEGACY_IMPRESSION_COLLECTION = 'recommendation-log';

export interface ImpressionLogOptions {
  /** flush at least this often (ms) */
  flushIntervalMs?: number;
  /** flush early once this many are waiting */
  maxBatch?: number;
  /** most rows one store write takes; a larger flush yields to the event loop between writes */
  chunk?: number;
  /** rows older than this are deleted (ms; 0 keeps everything) */
  retentionMs?: number;
  /**
   * most lists waiting to be written; beyond it (the store is down or slower than the request
   * rate) new lists are not logged durably, so a stalled store cannot exhaust memory
   */
  maxPending?: number;
  clock?: () => number;
  /** where write failures go (the response was already sent) */
  onError?: (err: unknown) => void;
}

const HOUR = 3_600_000;

/**
 * Records every shown list: at once in the OnlineState (rotation, attribution of the next
 * events) and, batched off the request path, as rows of the Store's recommendation log, which
 * answers GET /v1/recommendations/{id}, its next pages and the trainer on any node and after a
 * restart. Lists not yet written are found here, so a list can be paged on at once.
 */
export class ImpressionLog {
  private buffer: ShownList[] = [];
  /**
   * batches handed to the store and not yet durable, oldest first. With the buffer, these are
   * the lists `find` searches by a scan, newest first: a Map by id cost a string hash on every
   * set and delete, and its tables, rebuilt as it grew and shrank with every flush, lived long
   * enough to reach the old generation (~140 B per served list). Lookups of a list this young are
   * rare (its next page, or its record, asked within ~0.1 s); a scan of the ~500 lists a flush
   * holds at 5,000 lists/s takes µs, of maxPending when the store stalls ~1 ms.
   */
  private readonly inFlight: ShownList[][] = [];
  /** lists in the buffer and in flight */
  private pendingCount = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = -Infinity;
  private readonly interval: number;
  private readonly maxBatch: number;
  private readonly chunk: number;
  private readonly retentionMs: number;
  private readonly maxPending: number;
  /** lists not logged durably because too many were waiting, since the last report */
  private dropped = 0;
  private readonly clock: () => number;
  private readonly onError: (err: unknown) => void;
  private readonly flushBound = (): void => void this.flush();

  constructor(
    private readonly store: Store,
    private readonly online: OnlineState,
    opts: ImpressionLogOptions = {},
  ) {
    this.interval = opts.flushIntervalMs ?? 100;
    this.maxBatch = opts.maxBatch ?? 1000;
    // each chunk is one store call made on the request thread (an inline SQLite commit, or the
    // structured clone that hands rows to the log's writer thread): 100 rows keep it well under a millisecond
    this.chunk = opts.chunk ?? 100;
    this.retentionMs = opts.retentionMs ?? 30 * 24 * HOUR;
    this.maxPending = opts.maxPending ?? 100_000;
    this.clock = opts.clock ?? Date.now;
    this.onError = opts.onError ?? (() => {});
  }

  record(list: ShownList): void {
    const impression: Impression = { recommendationId: list.recommendationId, itemIds: list.itemIds, timestamp: list.timestamp, surface: list.surface };
    if (list.userId !== undefined) impression.userId = list.userId;
    if (list.modelVersion !== undefined) impression.modelVersion = list.modelVersion;
    // the online write is in-memory (or pipelined); a failure must not fail the response
    this.online.recordImpressions([impression]).catch(this.onError);
    if (this.pendingCount >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.buffer.push(list);
    this.pendingCount++;
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(this.flushBound, this.interval);
      this.timer.unref();
    }
  }

  /** A shown list by id: not yet written (this node) or from the store (any node, any time in the retention). */
  async find(recommendationId: string): Promise<ShownList | undefined> {
    return this.findPending(recommendationId) ?? (await this.store.getShownList(recommendationId));
  }

  private findPending(recommendationId: string): ShownList | undefined {
    for (let k = this.buffer.length - 1; k >= 0; k--) if ((this.buffer[k] as ShownList).recommendationId === recommendationId) return this.buffer[k];
    for (let b = this.inFlight.length - 1; b >= 0; b--) {
      const batch = this.inFlight[b] as ShownList[];
      for (let k = batch.length - 1; k >= 0; k--) if ((batch[k] as ShownList).recommendationId === recommendationId) return batch[k];
    }
    return undefined;
  }

  /** Writes everything waiting; resolves when it is durable. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dropped > 0) {
      this.onError(new Error(`recommendation log: ${this.dropped} shown lists not logged, ${this.pendingCount} were waiting for the store`));
      this.dropped = 0;
    }
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) {
      this.inFlight.push(batch);
      this.flushing = this.flushing.then(() => this.write(batch)).catch(this.onError);
    }
    const now = this.clock();
    if (this.retentionMs > 0 && now - this.lastPrune >= HOUR) {
      this.lastPrune = now;
      this.flushing = this.flushing.then(() => this.store.deleteShownLists({ before: now - this.retentionMs })).then(() => undefined, this.onError);
    }
    return this.flushing;
  }

  private async write(batch: ShownList[]): Promise<void> {
    try {
      for (let k = 0; k < batch.length; k += this.chunk) {
        if (k > 0) await new Promise<void>((resolve) => setImmediate(resolve));
        await this.store.logShownLists(batch.slice(k, k + this.chunk));
      }
    } finally {
      // failed rows are dropped too: the responses went out, and retrying forever would pile up memory
      this.inFlight.splice(this.inFlight.indexOf(batch), 1);
      this.pendingCount -= batch.length;
    }
  }
}

/**
 * Moves the legacy recommendation log (batches of impressions as documents, before the table)
 * into the table, one document at a time, then deletes each. Those lists have no replay request:
 * they answer GET /v1/recommendations/{id} and count for exploration, but cannot be paged.
 */
export async function migrateLegacyImpressions(store: Store): Promise<number> {
  const docs = await store.listDocuments<Impression[]>(LEGACY_IMPRESSION_COLLECTION);
  let moved = 0;
  for (const d of docs) {
    const lists: ShownList[] = [];
    for (const i of Array.isArray(d.value) ? d.value : []) {
      if (typeof i?.recommendationId !== 'string' || !Array.isArray(i.itemIds)) continue;
      const l: ShownList = { recommendationId: i.recommendationId, surface: String(i.surface ?? 'user'), timestamp: Number(i.timestamp) || 0, itemIds: i.itemIds.map(String), firstId: i.recommendationId, page: 1 };
      if (typeof i.userId === 'string') l.userId = i.userId;
      if (typeof i.modelVersion === 'number') l.modelVersion = i.modelVersion;
      lists.push(l);
    }
    await store.logShownLists(lists);
    await store.deleteDocument(LEGACY_IMPRESSION_COLLECTION, d.key);
    moved += lists.length;
  }
  return moved;
}
