import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { NewEvent } from '../../ports/store.ts';
import { unpackEvents } from './eventPacking.ts';
import { GroupCommit } from './groupCommit.ts';
import { openConnection } from './connection.ts';
import { SqliteWriter, type AppendedRows, type WriteOp, type WriteOps } from './sqliteWriter.ts';
import type { WriterReply, WriterRequest, WriterThreadData } from './writerMessages.ts';

/**
 * The SQLite store's writer thread: its own connection to the database file makes every write
 * (SqliteWriter), so the server's thread only parses, validates and answers, and the commits,
 * with the WAL checkpoints they trigger (an fsync each, 20–250 ms on a slow disk), run here.
 * Each request is answered after its transaction committed.
 */
const port = parentPort;
if (!port) throw new Error('writerThread must run in a worker thread');
const { path, synchronous } = workerData as WriterThreadData;
const send = (m: WriterReply): void => port.postMessage(m);

/**
 * The server's connection leaves checkpoints to this one (wal_autocheckpoint 0 there); the
 * writes it still makes itself (small appends while this thread is idle, the recommendation
 * log) grow the WAL, so when this connection has not committed for this long it checkpoints
 * (PASSIVE: it never waits for, nor blocks, a writer).
 */
const IDLE_CHECKPOINT_MS = 1_000;

let db: Database.Database;
let writer: SqliteWriter;
try {
  db = openConnection(path, synchronous);
  writer = new SqliteWriter(db);
} catch (err) {
  send({ ready: false, message: err instanceof Error ? err.message : String(err) });
  throw err;
}

let lastCommit = performance.now();
// an item is one message's groups; a commit takes several messages' groups in one transaction
const appends = new GroupCommit<NewEvent[][], AppendedRows[]>((messages) => {
  lastCommit = performance.now();
  const rows = writer.appendGroups(messages.flat());
  let k = 0;
  return messages.map((groups) => rows.slice(k, (k += groups.length)));
}, false);
const checkpointTimer = setInterval(() => {
  if (performance.now() - lastCommit < IDLE_CHECKPOINT_MS) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // busy: the next commit or tick tries again
  }
}, IDLE_CHECKPOINT_MS);
checkpointTimer.unref();

const failure = (id: number, err: unknown): WriterReply => {
  const code = (err as { code?: unknown }).code;
  return { id, ok: false, message: err instanceof Error ? err.message : String(err), ...(typeof code === 'string' ? { code } : {}) };
};

port.on('message', (m: WriterRequest) => {
  if (m.op === 'append') {
    const groups = unpackEvents(m.packed);
    appends.push(groups, m.packed.hasValue.length, (err, result) => send(err === undefined ? { id: m.id, ok: true, result } : failure(m.id, err)));
    return;
  }
  // appends requested before this write are committed before it: the writes keep their order
  appends.flush();
  if (m.op === 'close') {
    clearInterval(checkpointTimer);
    try {
      // fold the WAL back into the main file so a copied data dir is self-contained
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // a reader in another process may hold the WAL; the next open recovers it
    }
    db.close();
    send({ id: m.id, ok: true, result: undefined });
    port.close();
    return;
  }
  try {
    lastCommit = performance.now();
    const op = writer[m.op as WriteOp] as (...args: unknown[]) => unknown;
    send({ id: m.id, ok: true, result: op.apply(writer, m.args) as ReturnType<WriteOps[WriteOp]> });
  } catch (err) {
    send(failure(m.id, err));
  }
});
send({ ready: true });
