/** A batch arriving within this long of the previous commit (ms)… */
const BUSY_MS = 50;
/** …waits this long (ms) for others to share its commit… */
const WINDOW_MS = 4;
/** …if the first of them brings at least this many events; */
const MIN_BATCH = 100;
/** …and unless this many events are already waiting. */
const MAX_EVENTS = 4096;

export type Done<R> = (err: unknown, result?: R) => void;

/**
 * Group commit: appends requested close together share one transaction, and each caller hears
 * of its own part only once that transaction is committed. A commit per request would cap
 * single-event ingest at a few thousand per second.
 *
 * Idle: commit on the next turn (appends requested in the same turn, e.g. many concurrent
 * single-event POSTs, meet there; so do those that arrived while the previous commit ran).
 * With `holdBatches` (appends on the server's own thread, where parsing and committing take
 * turns), a batch arriving moments after a commit waits a short window so that concurrent
 * batches share a commit: each commit rewrites every index page it touched, so fewer, larger
 * commits cost less per row. The writer thread does not hold: the server's thread parses the
 * next batches while it commits, so they queue up by themselves, and a held commit there left
 * both threads idle (bench, 4 connections × 1,000 events: 75–80k events/s held, 91–92k not, on
 * a loaded machine). Single events skip the window: a closed-loop client's rate is bounded by
 * latency.
 */
export class GroupCommit<T, R> {
  private pending: Array<{ item: T; done: Done<R> }> = [];
  private pendingSize = 0;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private lastCommitEnd = -Infinity;
  private readonly flushBound = (): void => this.flush();

  /**
   * `commit` writes all items in one transaction and returns one result per item, in order.
   * `holdBatches`: whether a batch arriving while busy waits for others (the window above).
   */
  constructor(
    private readonly commit: (items: T[]) => R[],
    private readonly holdBatches = true,
  ) {}

  /** Queues `item` (`size` events); `done` is called after its transaction committed or failed. */
  push(item: T, size: number, done: Done<R>): void {
    this.pending.push({ item, done });
    this.pendingSize += size;
    if (this.pending.length === 1) {
      const since = performance.now() - this.lastCommitEnd;
      if (!this.holdBatches || size < MIN_BATCH || since >= BUSY_MS) this.schedule();
      else this.timer = setTimeout(this.flushBound, WINDOW_MS);
    } else if (this.pendingSize >= MAX_EVENTS && this.timer) {
      // enough for an efficient commit: no reason to hold the answers back
      clearTimeout(this.timer);
      this.timer = undefined;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushBound);
  }

  /** Commits everything queued now (also called before other writes and at close). */
  flush(): void {
    this.scheduled = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    this.pendingSize = 0;
    let results: R[];
    try {
      results = this.commit(pending.map((p) => p.item));
    } catch (err) {
      for (const p of pending) p.done(err);
      return;
    } finally {
      this.lastCommitEnd = performance.now();
    }
    for (let i = 0; i < pending.length; i++) pending[i]!.done(undefined, results[i]);
  }

  /** Fails everything queued (the database is gone). */
  abort(err: unknown): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = [];
    this.pendingSize = 0;
    for (const p of pending) p.done(err);
  }
}
