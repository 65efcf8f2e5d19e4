import { Worker } from 'node:worker_threads';
import type { ShownList } from '../../../ports/store.ts';
import { packShownLists } from './listPacking.ts';
import { RecommendationLogFile } from './logFile.ts';
import type { LogReply, LogRequest } from './logProtocol.ts';

/** Who writes the log file: a worker thread of its own (a server), or the calling thread. */
export type LogWriterMode = 'worker' | 'inline';

type Pending = { resolve: (value: number) => void; reject: (err: Error) => void };
/** a request before call() numbers it (distributes over the union, so each op keeps its own fields) */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Call = WithoutId<LogRequest>;

const yieldToEventLoop = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The SQLite store's recommendation log. Reads (a list by id for paging and attribution, the
 * newest lists for the trainer) run on the calling thread's own connection: in WAL mode they
 * never wait for the writer. Writes go to the writer thread when there is one; if that thread
 * fails, writes fall back to the calling thread rather than being lost.
 */
export class SqliteRecommendationLog {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  private constructor(private readonly reader: RecommendationLogFile) {}

  /** Opens the file (creating its table), written inline until startWriter(). */
  static open(path: string): SqliteRecommendationLog {
    return new SqliteRecommendationLog(new RecommendationLogFile(path));
  }

  /** Whether writes go to a writer thread (false: inline, or the thread failed). */
  get threaded(): boolean {
    return this.worker !== undefined;
  }

  /** The serving thread's connection (reads; the migration from the main file writes through it before the thread starts). */
  get file(): RecommendationLogFile {
    return this.reader;
  }

  async insert(lists: readonly ShownList[]): Promise<void> {
    if (lists.length === 0) return;
    if (this.worker) {
      const packed = packShownLists(lists);
      // the typed arrays move to the thread instead of being copied
      await this.call({ op: 'insert', packed }, [packed.lengths.buffer, packed.numbers.buffer]);
    }
    else this.reader.insert(lists);
  }

  get(recommendationId: string): ShownList | undefined {
    return this.reader.get(recommendationId);
  }

  newest(limit: number): ShownList[] {
    return this.reader.newest(limit);
  }

  async delete(filter: { userId: string } | { before: number }): Promise<number> {
    if (this.worker) return this.call({ op: 'delete', filter });
    return this.reader.delete(filter, yieldToEventLoop);
  }

  async reassign(fromUserId: string, toUserId: string): Promise<number> {
    if (this.worker) return this.call({ op: 'reassign', fromUserId, toUserId });
    return this.reader.reassign(fromUserId, toUserId, yieldToEventLoop);
  }

  pages(pageRows: number): Generator<ShownList[]> {
    return this.reader.pages(pageRows);
  }

  /** Waits for every write asked so far, checkpoints and closes the file. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker) {
      try {
        await this.call({ op: 'close' });
      } catch {
        // the thread is gone: its committed rows are in the file; the reader closes it below
      }
      this.worker = undefined;
      await worker.terminate();
    }
    this.reader.close();
  }

  /** Moves the writes to a thread of their own; ':memory:' cannot be shared with a thread and stays inline. */
  async startWriter(): Promise<void> {
    if (this.worker || this.reader.path === ':memory:') return;
    // a .ts entry needs tsx inside the thread (Node 20 workers do not inherit the loader): the boot file registers it
    const entry = new URL('./logWorker.ts', import.meta.url);
    const worker = new Worker(new URL('../../../jobs/tsWorkerBoot.mjs', import.meta.url), { workerData: { entry: entry.href, path: this.reader.path } });
    await new Promise<void>((resolve, reject) => {
      const onReady = (m: LogReply): void => {
        worker.off('error', onFail);
        if (m.ok) resolve();
        else reject(new Error(`recommendation log: ${m.message}`));
      };
      const onFail = (err: Error): void => {
        worker.off('message', onReady);
        reject(err);
      };
      worker.once('message', onReady);
      worker.once('error', onFail);
    });
    worker.on('message', (m: LogReply) => this.settle(m));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`recommendation log writer exited with code ${code}`)));
    // an idle thread must not keep a finished process alive; close() ends it in an orderly way
    worker.unref();
    this.worker = worker;
  }

  private call(request: Call, transfer: ArrayBuffer[] = []): Promise<number> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('recommendation log writer is not running'));
    const id = this.nextId++;
    // an answer owed keeps the process alive (a shutdown awaiting the last write or the close)
    if (this.pending.size === 0) worker.ref();
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } as LogRequest, transfer);
    });
  }

  private settle(m: LogReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (m.ok) p.resolve(m.value ?? 0);
    else p.reject(new Error(`recommendation log: ${m.message}`));
  }

  /** The thread died: what it was asked and had not answered fails; later writes run inline. */
  private fail(err: Error): void {
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
