import type Database from 'better-sqlite3';
import type { ItemRecord, ModelVersion, NewEvent, UserRecord } from '../../ports/store.ts';
import { USER_INDEX_EVERY, USER_INDEX_UPTO_KEY } from './schema.ts';

/**
 * meta: the highest seq ever handed out, kept only while it is above max(seq) because the
 * newest events were deleted. seq is the plain rowid (max + 1), and the trainer and online
 * state compare seqs with a model's "trained up to", so a seq must never be handed out twice.
 */
export const SEQ_FLOOR_KEY = 'events_seq_floor';

/**
 * What one append wrote: `seqs[i]` is the seq of input event i, or 0 when its eventId was
 * already stored (a duplicate). Plain numbers, so that it crosses a thread boundary cheaply.
 */
export interface AppendedRows {
  seqs: number[];
  receivedAt: number;
}

/**
 * Every write the SQLite store makes, on one connection: the store's own thread runs it for an
 * in-memory database, the writer thread (writerThread.ts) for a file. Keeping all of them on
 * one connection means that connection alone takes SQLite's write lock (no second writer in
 * the process that would wait on it in a synchronous busy handler) and alone runs the WAL
 * checkpoints. The recommendation log is not here: it keeps its own statements in the store.
 *
 * Arguments and results are plain data (structured-clone safe). JSON columns are serialized
 * here, on the writer's thread.
 */
export class SqliteWriter {
  private readonly s: WriteStatements;
  /** set at the start of an append transaction when a seq floor is pending (SEQ_FLOOR_KEY) */
  private explicitSeq = 0;
  /** the user index's bound as last read (userIndexDue) */
  private upToSeen = 0;
  /** appendGroups' transaction (IMMEDIATE) */
  private readonly appendTransaction: (groups: readonly (readonly NewEvent[])[]) => AppendedRows[];
  /** multi-row inserts by row count (insertRows) */
  private readonly multiRowInserts: Array<Database.Statement | undefined> = [];
  /** a full multi-row insert's arguments, reused */
  private readonly rowArgs = new Array<string | number | null>(ROWS_PER_INSERT * EVENT_COLUMNS);
  /** see TailChunks; undefined while not known */
  private tailChunks: TailChunks | undefined;

  /**
   * `indexesUsers` false: appends never write the user index themselves (the serving thread's
   * writer for small appends: one sorted insert of 32,768 entries held its event loop for ~40 ms);
   * the store asks the writer thread for it instead (userIndexDue, indexUsers).
   * `userIndexEvery`: events between bulk writes of the user index; only tests pass another
   * value (to cross many bulk writes with few events).
   */
  constructor(
    private readonly db: Database.Database,
    private readonly indexesUsers = true,
    private readonly userIndexEvery = USER_INDEX_EVERY,
  ) {
    if (!Number.isInteger(userIndexEvery) || userIndexEvery < 1) throw new Error(`userIndexEvery must be a positive integer, not ${userIndexEvery}`);
    this.s = prepareWriteStatements(db);
    // built once: better-sqlite3's transaction() defines four wrapper functions and their
    // properties on every call, ~14 µs per single-event group commit on the serving thread
    this.appendTransaction = db
      .transaction((groups: readonly (readonly NewEvent[])[]): AppendedRows[] => {
        const receivedAt = Date.now();
        this.explicitSeq = pendingSeqFloor(this.s);
        // all groups' events as one run: many single-event requests share multi-row inserts too
        const events = groups.length === 1 ? groups[0]! : groups.flat();
        const seqs = this.appendRows(events, receivedAt);
        if (this.indexesUsers) {
          this.noteTail(events, seqs);
          this.indexTail();
        }
        let k = 0;
        return groups.map((events) => ({ seqs: seqs.slice(k, (k += events.length)), receivedAt }));
      })
      .immediate;
  }

  /**
   * Appends several requests' events in ONE transaction (group commit). IMMEDIATE: the write
   * lock is taken before the seq-floor read, so another process cannot commit in between (a
   * deferred read-then-write would fail with SQLITE_BUSY).
   */
  appendGroups(groups: readonly (readonly NewEvent[])[]): AppendedRows[] {
    try {
      return this.appendTransaction(groups);
    } catch (err) {
      // rolled back: the seqs noted in it were never stored
      this.tailChunks = undefined;
      throw err;
    }
  }

  /**
   * Inserts events[from … from + n), none with a client eventId, with one multi-row statement:
   * no duplicate is possible, and their seqs are consecutive (each row takes max(seq) + 1). One
   * statement for 32 rows cost half the CPU per row of 32 statements (1.7 against 3.7 µs, on a
   * loaded machine): each statement run pays a fixed toll in better-sqlite3 and SQLite.
   */
  private insertServerNamed(events: readonly NewEvent[], from: number, n: number, receivedAt: number, seqs: number[]): void {
    const end = from + n;
    const args = n === ROWS_PER_INSERT ? this.rowArgs : new Array<string | number | null>(n * EVENT_COLUMNS);
    let j = 0;
    for (let i = from; i < end; i++) {
      const e = events[i]!;
      args[j++] = null;
      args[j++] = e.type;
      args[j++] = e.userId;
      args[j++] = e.itemId ?? null;
      args[j++] = e.value ?? null;
      args[j++] = e.timestamp;
      args[j++] = e.sessionId ?? null;
      args[j++] = e.recommendationId ?? null;
      args[j++] = e.context === undefined ? null : JSON.stringify(e.context);
      args[j++] = e.properties === undefined ? null : JSON.stringify(e.properties);
      args[j++] = receivedAt;
    }
    const info = this.insertRows(n).run(...args);
    if (info.changes !== n) throw new Error(`a multi-row event insert stored ${info.changes} of ${n} rows`);
    const last = Number(info.lastInsertRowid);
    for (let k = 0; k < n; k++) seqs[from + k] = last - n + 1 + k;
  }

  /** The insert of n server-named events (2 ≤ n ≤ ROWS_PER_INSERT), prepared on first use. */
  private insertRows(n: number): Database.Statement {
    let stmt = this.multiRowInserts[n];
    if (!stmt) {
      // no ON CONFLICT: without an eventId no row can conflict, and if one did it must not vanish
      const rows = Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
      stmt = this.multiRowInserts[n] = this.db.prepare(
        `INSERT INTO events (event_id, type, user_id, item_id, value, ts, session_id, recommendation_id, context, properties, received_at) VALUES ${rows}`,
      );
    }
    return stmt;
  }

  /**
   * Writes the user index (events_by_user) for the tail, a chunk per user, once the tail holds
   * userIndexEvery events: from the tail's seqs noted as they were appended when they are known
   * (TailChunks), else from a scan of the tail. Runs inside the caller's transaction.
   */
  private indexTail(): void {
    const s = this.s;
    const upto = this.indexedUpTo();
    const max = s.maxSeq.get()!.m ?? 0;
    if (max - upto < this.userIndexEvery) return;
    const known = this.knownTail();
    if (known?.upto === upto) {
      for (const [user, seqs] of known.byUser) s.insertChunk.run(user, seqs[0]!, JSON.stringify(seqs));
    } else s.indexTail.run(upto);
    s.putMeta.run(USER_INDEX_UPTO_KEY, String(max));
    // the tail is empty now: known from here on (the caller forgets it if this rolls back)
    this.tailChunks = { upto: max, dataVersion: s.dataVersion.get()!, byUser: new Map() };
  }

  /** Notes appended events in the tail's chunks, if those are known. */
  private noteTail(events: readonly NewEvent[], seqs: readonly number[]): void {
    const byUser = this.knownTail()?.byUser;
    if (!byUser) return;
    for (let i = 0; i < events.length; i++) {
      const seq = seqs[i]!;
      if (seq === 0) continue; // a duplicate: not stored
      const user = events[i]!.userId;
      const list = byUser.get(user);
      if (list) list.push(seq);
      else byUser.set(user, [seq]);
    }
  }

  /** The tail's chunks if still exact: no other connection committed since they were noted. */
  private knownTail(): TailChunks | undefined {
    const tail = this.tailChunks;
    if (tail !== undefined && tail.dataVersion !== this.s.dataVersion.get()) this.tailChunks = undefined;
    return this.tailChunks;
  }

  /**
   * Whether the tail has reached userIndexEvery events (for a writer that does not index),
   * given the newest seq this writer just wrote. The index's bound only grows, so the last one
   * read is a lower bound: while the tail measured from it is short, no query is needed (the
   * serving thread asks after every small commit, and the two queries were ~8 % of its work).
   */
  userIndexDue(newestSeq: number): boolean {
    if (newestSeq >= this.upToSeen && newestSeq - this.upToSeen < this.userIndexEvery) return false;
    this.upToSeen = this.indexedUpTo();
    return newestSeq - this.upToSeen >= this.userIndexEvery;
  }

  /** Writes the user index for the tail if it is due, in a transaction of its own. */
  indexUsers(): void {
    try {
      this.db.transaction(() => this.indexTail()).immediate();
    } catch (err) {
      this.tailChunks = undefined;
      throw err;
    }
  }

  private indexedUpTo(): number {
    return Number(this.s.getMeta.get(USER_INDEX_UPTO_KEY)?.value ?? 0);
  }

  private appendRows(events: readonly NewEvent[], receivedAt: number): number[] {
    const { insertEvent, insertEventAt } = this.s;
    const seqs = new Array<number>(events.length);
    for (let i = 0; i < events.length; i++) {
      if (this.explicitSeq === 0) {
        // a run of server-named events (no client eventId): one multi-row insert
        let n = 0;
        while (n < ROWS_PER_INSERT && i + n < events.length && events[i + n]!.eventId === undefined) n++;
        if (n > 1) {
          this.insertServerNamed(events, i, n, receivedAt, seqs);
          i += n - 1;
          continue;
        }
      }
      const e = events[i]!;
      // a server-named event stores no id: it is the database's prefix + seq (see the store)
      const clientId = e.eventId ?? null;
      const explicit = this.explicitSeq;
      const info =
        explicit > 0
          ? insertEventAt.run(explicit, ...eventColumns(e, clientId, receivedAt))
          : insertEvent.run(
              clientId,
              e.type,
              e.userId,
              e.itemId ?? null,
              e.value ?? null,
              e.timestamp,
              e.sessionId ?? null,
              e.recommendationId ?? null,
              e.context === undefined ? null : JSON.stringify(e.context),
              e.properties === undefined ? null : JSON.stringify(e.properties),
              receivedAt,
            );
      if (info.changes === 1) {
        seqs[i] = Number(info.lastInsertRowid);
        if (explicit > 0) {
          // the pending floor was used: later rows are numbered as usual
          this.explicitSeq = 0;
          this.s.deleteMeta.run(SEQ_FLOOR_KEY);
        }
      } else seqs[i] = 0;
    }
    return seqs;
  }

  putMeta(key: string, value: string): void {
    this.s.putMeta.run(key, value);
  }

  putItems(items: readonly ItemRecord[]): void {
    const put = this.s.putItem;
    this.db.transaction(() => {
      for (const it of items) put.run(it.id, JSON.stringify(it.properties), it.available ? 1 : 0, it.createdAt, it.updatedAt);
    })();
  }

  deleteItem(id: string): boolean {
    return this.s.deleteItem.run(id).changes > 0;
  }

  putUser(user: UserRecord): void {
    this.s.putUser.run(user.id, JSON.stringify(user.attributes), JSON.stringify(user.preferences), user.createdAt, user.updatedAt);
  }

  deleteUser(id: string): boolean {
    const s = this.s;
    // the user's tail events go: the next bulk write scans the tail (erasures are rare)
    this.tailChunks = undefined;
    return this.db
      .transaction(() => {
        const newest = s.maxSeq.get()!.m ?? 0;
        const upto = this.indexedUpTo();
        const events = s.deleteIndexedUserEvents.run(id).changes + s.deleteTailUserEvents.run(upto, id).changes;
        s.deleteUserIndex.run(id);
        if (events > 0 && (s.maxSeq.get()!.m ?? 0) < newest) {
          // the newest events went: remember their seq so that it is not handed out again
          const floor = Number(s.getMeta.get(SEQ_FLOOR_KEY)?.value ?? 0);
          s.putMeta.run(SEQ_FLOOR_KEY, String(Math.max(floor, newest)));
        }
        const users = s.deleteUserRow.run(id).changes;
        return events + users > 0;
      })
      .immediate();
  }

  mergeUsers(from: string, into: string): { movedEvents: number } {
    const s = this.s;
    // the tail's events change user: the next bulk write scans the tail (merges are rare)
    this.tailChunks = undefined;
    return this.db.transaction(() => {
      const upto = this.indexedUpTo();
      const movedEvents = s.moveIndexedUserEvents.run(into, from).changes + s.moveTailUserEvents.run(into, upto, from).changes;
      if (from !== into) this.moveUserIndex(from, into);
      const target = s.getUser.get(into);
      if (!target) {
        // the known user has no record yet: it inherits the anonymous one's attributes
        const source = s.getUser.get(from);
        const now = Date.now();
        s.putUser.run(into, source?.attributes ?? '{}', source?.preferences ?? '{}', source?.created_at ?? now, now);
      }
      s.deleteUserRow.run(from);
      return { movedEvents };
    })();
  }

  /**
   * Moves `from`'s chunks of the user index to `into`. Chunks of both users from the same bulk
   * write overlap, so those are combined: `into`'s chunks stay disjoint (CREATE_EVENTS_BY_USER).
   * Only `into`'s chunks that can overlap `from`'s are read: those starting within from's
   * range, and the one before it.
   */
  private moveUserIndex(from: string, into: string): void {
    const s = this.s;
    const moved = s.userChunks.all(from);
    if (moved.length === 0) return;
    const chunks = moved.map((c) => JSON.parse(c.seqs) as number[]);
    const lowest = moved[0]!.first_seq;
    const highest = chunks[chunks.length - 1]!.at(-1)!;
    const before = s.userChunkBefore.get(into, lowest);
    const touched = [...(before ? [before] : []), ...s.userChunksBetween.all(into, lowest, highest)];
    for (const c of touched) chunks.push(JSON.parse(c.seqs) as number[]);
    s.deleteUserIndex.run(from);
    for (const c of touched) s.deleteChunk.run(into, c.first_seq);
    for (const seqs of disjointChunks(chunks)) s.insertChunk.run(into, seqs[0]!, JSON.stringify(seqs));
  }

  saveModelVersion(meta: Omit<ModelVersion, 'version'>, artifact: Uint8Array): number {
    const s = this.s;
    return this.db.transaction(() => {
      const info = s.insertModel.run(
        meta.model,
        JSON.stringify(meta.params),
        meta.status,
        meta.createdAt,
        JSON.stringify(meta.metrics),
        meta.trainingEvents,
        meta.durationMs,
        meta.note ?? null,
      );
      const version = Number(info.lastInsertRowid);
      s.insertArtifact.run(version, Buffer.from(artifact.buffer, artifact.byteOffset, artifact.byteLength));
      return version;
    })();
  }

  updateModelVersion(version: number, patch: Partial<Pick<ModelVersion, 'status' | 'note' | 'metrics'>>): void {
    const s = this.s;
    this.db.transaction(() => {
      const row = s.getModel.get(version);
      if (!row) throw new Error(`model version ${version} does not exist`);
      const note = 'note' in patch ? patch.note : (row.note ?? undefined);
      s.updateModel.run(patch.status ?? row.status, note ?? null, patch.metrics === undefined ? row.metrics : JSON.stringify(patch.metrics), version);
    })();
  }

  putDocument(collection: string, key: string, value: unknown): void {
    this.s.putDocument.run(collection, key, JSON.stringify(value));
  }

  deleteDocument(collection: string, key: string): boolean {
    return this.s.deleteDocument.run(collection, key).changes > 0;
  }
}

/** Rows per multi-row insert of server-named events (SqliteWriter.insertServerNamed). */
const ROWS_PER_INSERT = 32;
/** columns bound per event row (all but seq) */
const EVENT_COLUMNS = 11;

/** The writer's operations that a caller on another thread may request by name (not appends). */
export type WriteOps = Omit<SqliteWriter, 'appendGroups'>;
export type WriteOp = keyof WriteOps;

function prepareWriteStatements(db: Database.Database) {
  return {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    deleteMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
    putItem: db.prepare(
      `INSERT INTO items (id, properties, available, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET properties = excluded.properties, available = excluded.available,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    deleteItem: db.prepare('DELETE FROM items WHERE id = ?'),
    putUser: db.prepare(
      `INSERT INTO users (id, attributes, preferences, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET attributes = excluded.attributes, preferences = excluded.preferences,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    getUser: db.prepare<[string], { attributes: string; preferences: string; created_at: number }>('SELECT attributes, preferences, created_at FROM users WHERE id = ?'),
    deleteUserRow: db.prepare('DELETE FROM users WHERE id = ?'),
    // a user's events: those up to USER_INDEX_UPTO_KEY through events_by_user, the tail by a scan
    deleteIndexedUserEvents: db.prepare(`DELETE FROM events WHERE seq IN (${INDEXED_SEQS_OF_USER})`),
    deleteTailUserEvents: db.prepare('DELETE FROM events WHERE seq > ? AND user_id = ?'),
    deleteUserIndex: db.prepare('DELETE FROM events_by_user WHERE user_id = ?'),
    moveIndexedUserEvents: db.prepare(`UPDATE events SET user_id = ? WHERE seq IN (${INDEXED_SEQS_OF_USER})`),
    moveTailUserEvents: db.prepare('UPDATE events SET user_id = ? WHERE seq > ? AND user_id = ?'),
    userChunks: db.prepare<[string], Chunk>('SELECT first_seq, seqs FROM events_by_user WHERE user_id = ? ORDER BY first_seq'),
    userChunksBetween: db.prepare<[string, number, number], Chunk>('SELECT first_seq, seqs FROM events_by_user WHERE user_id = ? AND first_seq BETWEEN ? AND ?'),
    userChunkBefore: db.prepare<[string, number], Chunk>('SELECT first_seq, seqs FROM events_by_user WHERE user_id = ? AND first_seq < ? ORDER BY first_seq DESC LIMIT 1'),
    deleteChunk: db.prepare('DELETE FROM events_by_user WHERE user_id = ? AND first_seq = ?'),
    insertChunk: db.prepare('INSERT INTO events_by_user (user_id, first_seq, seqs) VALUES (?, ?, ?)'),
    // a chunk per user of the tail; the array's ORDER BY because a GROUP BY's rows come in no set order
    indexTail: db.prepare(
      'INSERT INTO events_by_user (user_id, first_seq, seqs) SELECT user_id, min(seq), json_group_array(seq ORDER BY seq) FROM events WHERE seq > ? GROUP BY user_id',
    ),
    // DO NOTHING: a client eventId already stored (the partial unique index) is a duplicate
    insertEvent: db.prepare(
      `INSERT INTO events (event_id, type, user_id, item_id, value, ts, session_id, recommendation_id, context, properties, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    /** the first insert after the newest events were deleted (see SEQ_FLOOR_KEY) */
    insertEventAt: db.prepare(
      `INSERT INTO events (seq, event_id, type, user_id, item_id, value, ts, session_id, recommendation_id, context, properties, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    maxSeq: db.prepare<[], { m: number | null }>('SELECT max(seq) AS m FROM events'),
    // changes when another connection commits (this one's own commits leave it)
    dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    insertModel: db.prepare(
      `INSERT INTO model_versions (model, params, status, created_at, metrics, training_events, duration_ms, note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertArtifact: db.prepare('INSERT INTO model_artifacts (version, data) VALUES (?, ?)'),
    getModel: db.prepare<[number], { status: ModelVersion['status']; note: string | null; metrics: string }>('SELECT status, note, metrics FROM model_versions WHERE version = ?'),
    updateModel: db.prepare('UPDATE model_versions SET status = ?, note = ?, metrics = ? WHERE version = ?'),
    putDocument: db.prepare(
      'INSERT INTO documents (collection, key, value) VALUES (?, ?, ?) ON CONFLICT(collection, key) DO UPDATE SET value = excluded.value',
    ),
    deleteDocument: db.prepare('DELETE FROM documents WHERE collection = ? AND key = ?'),
  };
}

type WriteStatements = ReturnType<typeof prepareWriteStatements>;

/**
 * The tail's seqs by user, noted by the writer as it appends them, so that the bulk write of
 * the user index inserts a chunk per user without the tail's scan and GROUP BY sort (~0.6 µs
 * per event of the writer's ~2.7, see USER_INDEX_EVERY). Exact only while this connection made
 * every change to the events since the last bulk write: `dataVersion` (PRAGMA data_version)
 * tells another connection's commit (the serving thread's small appends, another process),
 * and this connection's erasures, merges and rolled-back transactions drop the noted chunks.
 * When they are not known, the bulk write scans the tail (indexTail's statement), and the
 * chunks are known again from there.
 */
interface TailChunks {
  /** USER_INDEX_UPTO_KEY when noting began: the tail is every seq above it */
  upto: number;
  dataVersion: number;
  /** each user's tail seqs, ascending (seqs only grow) */
  byUser: Map<string, number[]>;
}

/** A row of the user index (CREATE_EVENTS_BY_USER). */
interface Chunk {
  first_seq: number;
  seqs: string;
}

/** Every seq in a user's chunks of the user index (one parameter: the user id). */
const INDEXED_SEQS_OF_USER = 'SELECT j.value FROM events_by_user u, json_each(u.seqs) j WHERE u.user_id = ?';

/**
 * Ascending seq arrays whose ranges may overlap → ascending arrays with disjoint ranges, in
 * order, holding every seq once: arrays whose ranges overlap are merged into one.
 */
export function disjointChunks(chunks: readonly (readonly number[])[]): number[][] {
  const sorted = chunks.filter((c) => c.length > 0).sort((a, b) => a[0]! - b[0]!);
  const out: number[][] = [];
  let run: Array<readonly number[]> = [];
  let runEnd = -Infinity;
  const flush = (): void => {
    if (run.length === 1) out.push([...run[0]!]);
    else if (run.length > 1) out.push([...new Set(run.flat())].sort((a, b) => a - b));
  };
  for (const c of sorted) {
    if (c[0]! > runEnd) {
      flush();
      run = [];
    }
    run.push(c);
    runEnd = Math.max(runEnd, c[c.length - 1]!);
  }
  flush();
  return out;
}

/** The seq the next appended event must take when the newest events were deleted, else 0. */
function pendingSeqFloor(s: WriteStatements): number {
  const floor = s.getMeta.get(SEQ_FLOOR_KEY);
  if (!floor) return 0;
  const next = Number(floor.value) + 1;
  if (next > (s.maxSeq.get()!.m ?? 0)) return next;
  s.deleteMeta.run(SEQ_FLOOR_KEY); // passed already (e.g. by an older Attune's insert)
  return 0;
}

/** insertEventAt's columns after seq (the rare path; insertEvent binds them inline). */
function eventColumns(e: NewEvent, clientId: string | null, receivedAt: number): Array<string | number | null> {
  return [
    clientId,
    e.type,
    e.userId,
    e.itemId ?? null,
    e.value ?? null,
    e.timestamp,
    e.sessionId ?? null,
    e.recommendationId ?? null,
    e.context === undefined ? null : JSON.stringify(e.context),
    e.properties === undefined ? null : JSON.stringify(e.properties),
    receivedAt,
  ];
}
