import type { PackedEvents } from './eventPacking.ts';
import type { WriteOp } from './sqliteWriter.ts';

/** What the store's thread asks of the writer thread (writerThread.ts). */
export type WriterRequest =
  /** several requests' appends (one group each), gathered in one turn of the store's thread; answered with one AppendedRows each */
  | { id: number; op: 'append'; packed: PackedEvents }
  | { id: number; op: WriteOp; args: unknown[] }
  | { id: number; op: 'close' };

/** The writer thread's answers: one per request, after its transaction committed (or failed). */
export type WriterReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; message: string; code?: string }
  | { ready: true }
  | { ready: false; message: string };

/** What the writer thread is started with. */
export interface WriterThreadData {
  /** the module the boot script imports (writerThread.ts) */
  entry: string;
  path: string;
  synchronous: 'normal' | 'full';
}
