import { Worker } from 'node:worker_threads';
import type { NewEvent } from '../../ports/store.ts';
import { packEvents } from './eventPacking.ts';
import type { AppendedRows, WriteOp, WriteOps } from './sqliteWriter.ts';
import type { WriterReply, WriterRequest, WriterThreadData } from './writerMessages.ts';

/**
 * An append of at least this many events is sent at once (with the smaller ones queued before
 * it, keeping their order) instead of on the next turn: a message is then a small share of its
 * cost, and a batch held back until the turn ends waits for every other batch this thread parses
 * and answers in that turn while the writer sits idle. In-process, 16 concurrent callers of
 * 1,000-event batches (`IN_PROCESS=1 CONC=16 node --import tsx bench/ingestProfile.ts 600`):
 * 259–262k events/s held to the turn's end, 365–428k sent at once (AMD EPYC, 2026-11-29).
 */
const SEND_AT_ONCE = 100;

/**
 * The store's side of the writer thread (writerThread.ts): each write is a message, answered
 * once committed. Appends are grouped twice: those requested in one turn of this thread (many
 * concurrent single-event POSTs) travel as one message, because a message each way per event
 * cost more than the event's insert (the writer, idle between them, committed nearly every
 * event alone), while a large append goes at once (SEND_AT_ONCE); and over there messages that
 * arrive while the writer commits share its next transaction (GroupCommit), so parsing and
 * validating here overlaps the commits. The events travel packed (eventPacking.ts), not as
 * objects.
 */
export class WriterClient {
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (err: unknown) => void }>();
  private nextId = 1;
  /** set once the thread is gone: every later write fails with it */
  private failed: Error | undefined;
  /** appends requested in this turn, sent together on the next (sendAppends) */
  private outgoing: Array<{ events: NewEvent[]; resolve: (rows: AppendedRows) => void; reject: (err: unknown) => void }> = [];
  private readonly sendBound = (): void => this.sendAppends();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: WriterReply) => {
      if ('ready' in m) return;
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.settled(m.id);
      if (m.ok) w.resolve(m.result);
      else w.reject(Object.assign(new Error(m.message), m.code === undefined ? {} : { code: m.code }));
    });
    const gone = (err: Error): void => {
      this.failed ??= err;
      for (const [id, w] of this.waiting) {
        this.settled(id);
        w.reject(err);
      }
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the SQLite writer thread exited (code ${code})`)));
    // the thread keeps the process alive only while a write is outstanding (see settled)
    worker.unref();
  }

  /** Starts the thread; resolves once its connection is open. */
  static start(path: string, synchronous: 'normal' | 'full'): Promise<WriterClient> {
    const data: WriterThreadData = { entry: new URL('./writerThread.ts', import.meta.url).href, path, synchronous };
    // the boot script registers tsx in the thread before importing the TypeScript entry
    const worker = new Worker(new URL('../../jobs/tsWorkerBoot.mjs', import.meta.url), { workerData: data });
    return new Promise((resolve, reject) => {
      const onReply = (m: WriterReply): void => {
        if (!('ready' in m)) return;
        worker.off('message', onReply);
        worker.off('error', reject);
        if (m.ready) resolve(new WriterClient(worker));
        else reject(new Error(`the SQLite writer thread could not open ${path}: ${m.message}`));
      };
      worker.on('message', onReply);
      worker.once('error', reject);
    });
  }

  /** Whether the thread still runs (it exits only at close, or on a fatal error). */
  alive(): boolean {
    return this.failed === undefined;
  }

  /** Whether the thread runs and no write is queued or outstanding there: it holds no transaction open. */
  idle(): boolean {
    return this.failed === undefined && this.waiting.size === 0 && this.outgoing.length === 0;
  }

  /** Appends one request's events; resolves after the (shared) transaction committed. */
  append(events: NewEvent[]): Promise<AppendedRows> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.outgoing.push({ events, resolve, reject });
      if (events.length >= SEND_AT_ONCE) this.sendAppends();
      else if (this.outgoing.length === 1) setImmediate(this.sendBound);
    });
  }

  private sendAppends(): void {
    const batch = this.outgoing;
    if (batch.length === 0) return;
    this.outgoing = [];
    let packed: ReturnType<typeof packEvents>;
    try {
      packed = packEvents(batch.map((a) => a.events));
    } catch (err) {
      // every append of the message hears of it, not only the one that happened to send it
      for (const a of batch) a.reject(err);
      return;
    }
    // the typed arrays move to the thread instead of being copied
    this.request({ id: 0, op: 'append', packed }, [packed.groupSizes.buffer, packed.lengths.buffer, packed.numbers.buffer, packed.hasValue.buffer]).then(
      (rows) => batch.forEach((a, i) => a.resolve((rows as AppendedRows[])[i]!)),
      (err: unknown) => batch.forEach((a) => a.reject(err)),
    );
  }

  call<K extends WriteOp>(op: K, ...args: Parameters<WriteOps[K]>): Promise<ReturnType<WriteOps[K]>> {
    // appends requested before this write go first: the writes keep their order
    this.sendAppends();
    return this.request({ id: 0, op, args }) as Promise<ReturnType<WriteOps[K]>>;
  }

  /** Commits what is queued, checkpoints, closes the thread's connection and ends the thread. */
  async close(): Promise<void> {
    this.sendAppends();
    if (!this.failed) await this.request({ id: 0, op: 'close' });
    this.failed ??= new Error('the SQLite store is closed');
    await this.worker.terminate();
  }

  private request(m: WriterRequest, transfer: ArrayBuffer[] = []): Promise<unknown> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    m.id = id;
    return new Promise((resolve, reject) => {
      if (this.waiting.size === 0) this.worker.ref();
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage(m, transfer);
    });
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
  }
}
