import type { Impression, OnlineState } from '../../ports/onlineState.ts';
import type { Store } from '../../ports/store.ts';

/** Collection the shown lists are written to, one document per flushed batch. */
export const IMPRESSION_COLLECTION = 'recommendation-log';

export interface ImpressionLogOptions {
  /** flush at least this often (ms) */
  flushIntervalMs?: number;
  /** flush early once this many are waiting */
  maxBatch?: number;
  /** where write failures go (the response was already sent) */
  onError?: (err: unknown) => void;
}

/**
 * Records every shown list: at once in the OnlineState (rotation, attribution of the next
 * events) and, batched, durably in the Store so attribution survives restarts without a
 * write per request on the hot path.
 */
export class ImpressionLog {
  private buffer: Impression[] = [];
  private timer: NodeJS.Timeout | undefined;
  private batchNo = 0;
  private flushing: Promise<void> = Promise.resolve();
  private readonly interval: number;
  private readonly maxBatch: number;
  private readonly onError: (err: unknown) => void;

  constructor(
    private readonly store: Store,
    private readonly online: OnlineState,
    opts: ImpressionLogOptions = {},
  ) {
    this.interval = opts.flushIntervalMs ?? 250;
    // small batches keep each synchronous store write short (tail latency), not just rare
    this.maxBatch = opts.maxBatch ?? 500;
    this.onError = opts.onError ?? (() => {});
  }

  record(impression: Impression): void {
    // the online write is in-memory (or pipelined); a failure must not fail the response
    this.online.recordImpressions([impression]).catch(this.onError);
    this.buffer.push(impression);
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.interval);
      this.timer.unref();
    }
  }

  /** Writes everything waiting; resolves when it is durable. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length > 0) {
      const key = `${(batch[0] as Impression).timestamp.toString().padStart(15, '0')}-${process.pid}-${this.batchNo++}`;
      this.flushing = this.flushing.then(() => this.store.putDocument(IMPRESSION_COLLECTION, key, batch)).catch(this.onError);
    }
    return this.flushing;
  }
}
