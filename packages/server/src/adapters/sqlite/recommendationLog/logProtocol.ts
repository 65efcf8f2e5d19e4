import type { PackedLists } from './listPacking.ts';

/** What the serving thread asks of the log's writer thread (logWorker.ts); answered in order. */
export type LogRequest =
  | { id: number; op: 'insert'; packed: PackedLists }
  | { id: number; op: 'delete'; filter: { userId: string } | { before: number } }
  | { id: number; op: 'reassign'; fromUserId: string; toUserId: string }
  | { id: number; op: 'close' };

/** id 0 announces that the file is open (its table exists) or could not be opened. */
export type LogReply = { id: number; ok: true; value?: number } | { id: number; ok: false; message: string };
