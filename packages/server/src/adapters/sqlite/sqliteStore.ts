import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type {
  AppendResult,
  ItemRecord,
  ItemSchema,
  ModelVersion,
  NewEvent,
  Page,
  ShownList,
  StoredEvent,
  Store,
  UserRecord,
} from '../../ports/store.ts';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../cursor.ts';
import { storedEvent } from '../storedEvent.ts';
import { openConnection } from './connection.ts';
import { GroupCommit } from './groupCommit.ts';
import { CREATE_TABLES, EVENTS_TABLE_V2, EVENTS_V1_TO_V2, EVENTS_V2_TO_V4, EVENTS_V3_TO_V4, SCHEMA_VERSION, USER_INDEX_UPTO_KEY } from './schema.ts';
import { SEQ_FLOOR_KEY, SqliteWriter, type AppendedRows, type WriteOp, type WriteOps } from './sqliteWriter.ts';
import { WriterClient } from './writerClient.ts';
import { recommendationLogPath } from './recommendationLog/logFile.ts';
import { moveLogTableOut } from './recommendationLog/moveLogTable.ts';
import { SqliteRecommendationLog } from './recommendationLog/recommendationLog.ts';

export interface SqliteStoreOptions {
  /** file path, or ':memory:' */
  path: string;
  /**
   * 'normal' (default): in WAL mode a commit survives a process crash, and only an OS crash or
   * power loss can lose the last transactions. 'full' fsyncs every commit (slower ingest).
   */
  synchronous?: 'normal' | 'full';
  /**
   * Where writes run. 'thread' (the default for a file opened on the main thread): a writer
   * thread with its own connection (writerThread.ts), so commits and WAL checkpoints never
   * hold the server's event loop; the recommendation log's file gets a writer thread of its
   * own too (recommendationLog/). 'inline': on the calling thread (always for ':memory:',
   * which a second connection cannot open, and for a store opened inside a worker thread,
   * which is off the event loop already).
   */
  writer?: 'thread' | 'inline';
  /**
   * Events between bulk writes of the user index (default USER_INDEX_EVERY, schema.ts). For
   * tests, to cross many bulk writes with few events; only with the 'inline' writer (the
   * writer thread uses the default).
   */
  userIndexEvery?: number;
}

interface ItemRow {
  id: string;
  properties: string;
  available: number;
  created_at: number;
  updated_at: number;
}
interface UserRow {
  id: string;
  attributes: string;
  preferences: string;
  created_at: number;
  updated_at: number;
}
interface EventRow {
  seq: number;
  /** the client's eventId; null for server-named events (their id derives from seq) */
  event_id: string | null;
  type: string;
  user_id: string;
  item_id: string | null;
  value: number | null;
  ts: number;
  session_id: string | null;
  recommendation_id: string | null;
  context: string | null;
  properties: string | null;
  received_at: number;
}
interface ModelRow {
  version: number;
  model: string;
  params: string;
  status: ModelVersion['status'];
  created_at: number;
  metrics: string;
  training_events: number;
  duration_ms: number;
  note: string | null;
}

const ITEM_SCHEMA_KEY = 'item_schema';
/** meta: this database's prefix for the ids of server-named events (prefix + seq) */
const EVENT_ID_PREFIX_KEY = 'event_id_prefix';
/** Appends under this many events may be written on the store's own thread (appendSmall). */
const SMALL_APPEND = 100;

/** Writes on the store's own thread: the writer on its connection, appends group-committed. */
interface InlineWrites {
  writer: SqliteWriter;
  appends: GroupCommit<NewEvent[], AppendedRows>;
}

/**
 * The embedded default store: one SQLite file in WAL mode through better-sqlite3. Reads are
 * synchronous underneath (fast, no thread hop) on the caller's connection; writes go to the
 * writer thread (see SqliteStoreOptions.writer), which answers once they are committed. The
 * async signatures are the port's so that networked adapters share one contract. Every
 * statement is prepared once.
 */
export class SqliteStore implements Store {
  readonly path: string;
  private readonly synchronous: 'normal' | 'full';
  private readonly writerKind: 'thread' | 'inline';
  private readonly userIndexEvery: number | undefined;
  private db: Database.Database | undefined;
  private stmts: Statements | undefined;
  private recLog: SqliteRecommendationLog | undefined;
  private thread: WriterClient | undefined;
  private inline: InlineWrites | undefined;
  /** thread mode: this connection's writer, for small appends while the thread is idle (appendSmall) */
  private here: SqliteWriter | undefined;
  /** thread mode: small appends of this turn, committed together by flushSmall */
  private small: Array<{ events: NewEvent[]; resolve: (rows: AppendedRows) => void; reject: (err: unknown) => void }> = [];
  private readonly flushSmallBound = (): void => this.flushSmall();
  /** see EVENT_ID_PREFIX_KEY */
  private eventIdPrefix = '';

  constructor(opts: SqliteStoreOptions) {
    this.path = opts.path;
    this.synchronous = opts.synchronous ?? 'normal';
    this.writerKind = opts.path === ':memory:' ? 'inline' : (opts.writer ?? (isMainThread ? 'thread' : 'inline'));
    if (opts.userIndexEvery !== undefined && this.writerKind === 'thread') throw new Error("userIndexEvery needs the 'inline' writer");
    this.userIndexEvery = opts.userIndexEvery;
  }

  async init(): Promise<void> {
    if (this.db) return;
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = openConnection(this.path, this.synchronous);
    let recLog: SqliteRecommendationLog | undefined;
    try {
      migrateEvents(db, this.path);
      recLog = SqliteRecommendationLog.open(recommendationLogPath(this.path));
      // databases from before the log had a file of its own keep it as a table: moved over once
      moveLogTableOut(db, recLog.file);
      this.eventIdPrefix = eventIdPrefix(db);
      const stmts = prepareStatements(db);
      const writer = new SqliteWriter(db, this.writerKind !== 'thread', this.userIndexEvery);
      if (this.writerKind === 'thread') {
        // the writer thread's connection runs the checkpoints: never this thread's event loop
        db.pragma('wal_autocheckpoint = 0');
        await recLog.startWriter();
        // last: nothing after it can fail and leave the thread running
        this.thread = await WriterClient.start(this.path, this.synchronous);
        this.here = writer;
      } else this.inline = { writer, appends: new GroupCommit((groups) => writer.appendGroups(groups)) };
      this.stmts = stmts;
    } catch (err) {
      await recLog?.close();
      db.close();
      throw err;
    }
    this.recLog = recLog;
    this.db = db;
  }

  /** Whether writes go to a writer thread (false: inline, as for ':memory:', a worker thread or a read-only command). */
  get writesOnThread(): boolean {
    return this.thread !== undefined;
  }

  /** Whether the database is open and can be written (readiness): false once the writer thread is gone. */
  isOpen(): boolean {
    return this.db !== undefined && this.db.open && (this.thread === undefined || this.thread.alive());
  }

  async close(): Promise<void> {
    if (!this.db) return;
    const db = this.db;
    this.db = undefined;
    this.stmts = undefined;
    // appends already requested are written, not dropped
    if (this.thread) {
      this.flushSmall();
      const thread = this.thread;
      this.thread = undefined;
      this.here = undefined;
      // the writer commits what it holds, checkpoints (TRUNCATE) and closes its connection
      await thread.close();
    } else if (this.inline) {
      this.inline.appends.flush();
      this.inline = undefined;
      // fold the WAL back into the main file so a copied data dir is self-contained
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // a reader in another process may hold the WAL; the next open recovers it
      }
    }
    db.close();
    await this.recLog?.close();
    this.recLog = undefined;
  }

  /**
   * Runs one write (not an append) where writes run, after the appends requested before it:
   * the writes keep their order.
   */
  private write<K extends WriteOp>(op: K, ...args: Parameters<WriteOps[K]>): Promise<ReturnType<WriteOps[K]>> {
    if (this.thread) {
      this.flushSmall();
      return this.thread.call(op, ...args);
    }
    const inline = this.inline;
    if (!inline) return Promise.reject(new Error('SqliteStore is not open: call init() first'));
    try {
      inline.appends.flush();
      const run = inline.writer[op] as (...a: Parameters<WriteOps[K]>) => ReturnType<WriteOps[K]>;
      return Promise.resolve(run.apply(inline.writer, args));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private readonly fromRow = (r: EventRow): StoredEvent => eventFromRow(r, this.eventIdPrefix);

  private get s() {
    if (!this.stmts) throw new Error('SqliteStore is not open: call init() first');
    return this.stmts;
  }

  private get database(): Database.Database {
    if (!this.db) throw new Error('SqliteStore is not open: call init() first');
    return this.db;
  }

  async getItemSchema(): Promise<ItemSchema | undefined> {
    const row = this.s.getMeta.get(ITEM_SCHEMA_KEY);
    return row ? (JSON.parse(row.value) as ItemSchema) : undefined;
  }

  putItemSchema(schema: ItemSchema): Promise<void> {
    return this.write('putMeta', ITEM_SCHEMA_KEY, JSON.stringify(schema));
  }

  putItems(items: ItemRecord[]): Promise<void> {
    return this.write('putItems', items);
  }

  async getItem(id: string): Promise<ItemRecord | undefined> {
    const row = this.s.getItem.get(id);
    return row ? itemFromRow(row) : undefined;
  }

  async getItems(ids: string[]): Promise<ItemRecord[]> {
    const out: ItemRecord[] = [];
    const get = this.s.getItem;
    for (const id of ids) {
      const row = get.get(id);
      if (row) out.push(itemFromRow(row));
    }
    return out;
  }

  async listItems(opts: { cursor?: string; limit: number }): Promise<Page<ItemRecord>> {
    const after = cursorAfter(opts.cursor);
    const limit = Math.max(1, Math.floor(opts.limit));
    // one row more than asked tells whether another page exists
    const rows = after === undefined ? this.s.listItemsFirst.all(limit + 1) : this.s.listItemsAfter.all(after, limit + 1);
    return pageOf(rows.map(itemFromRow), limit);
  }

  deleteItem(id: string): Promise<boolean> {
    return this.write('deleteItem', id);
  }

  async countItems(): Promise<number> {
    return this.s.countItems.get()!.n;
  }

  putUser(user: UserRecord): Promise<void> {
    return this.write('putUser', user);
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const row = this.s.getUser.get(id);
    return row ? userFromRow(row) : undefined;
  }

  async listUsers(opts: { cursor?: string; limit: number }): Promise<Page<UserRecord>> {
    const after = cursorAfter(opts.cursor);
    const limit = Math.max(1, Math.floor(opts.limit));
    const rows = after === undefined ? this.s.listUsersFirst.all(limit + 1) : this.s.listUsersAfter.all(after, limit + 1);
    return pageOf(rows.map(userFromRow), limit);
  }

  deleteUser(id: string): Promise<boolean> {
    return this.write('deleteUser', id);
  }

  async mergeUsers(from: string, into: string): Promise<{ movedEvents: number }> {
    if (from === into) return { movedEvents: 0 };
    const result = await this.write('mergeUsers', from, into);
    // the merged user's shown lists follow, so their attribution and paging name the known user
    await this.log.reassign(from, into);
    return result;
  }

  /**
   * Group commit (groupCommit.ts): appends requested close together share one transaction,
   * committed before any of their promises resolve.
   */
  async appendEvents(events: NewEvent[]): Promise<AppendResult> {
    if (!this.thread && !this.inline) throw new Error('SqliteStore is not open: call init() first');
    if (events.length === 0) return { accepted: [], duplicates: [] };
    let rows: AppendedRows;
    if (!this.thread) rows = await this.appendInline(this.inline!, events);
    else if (events.length < SMALL_APPEND && this.thread.idle()) rows = await this.appendSmall(events);
    else {
      this.flushSmall();
      rows = await this.thread.append(events);
    }
    return this.appendResult(events, rows);
  }

  /**
   * Thread mode, a small append (single events) while the writer thread has nothing to do:
   * this turn's small appends are committed together on this thread's connection. Handing
   * them over cost more than writing them: each message wakes the idle writer, and on a loaded
   * 2-core machine that took 25–35 µs of CPU per single event, against ~7 µs for its share of
   * an 11-event commit here. Only one connection ever writes at a time: this one only while
   * no write is outstanding on the thread (so neither waits for SQLite's lock in a sleeping
   * busy handler), and its commits never checkpoint (wal_autocheckpoint 0: the thread does).
   */
  private appendSmall(events: NewEvent[]): Promise<AppendedRows> {
    return new Promise((resolve, reject) => {
      if (this.small.length === 0) setImmediate(this.flushSmallBound);
      this.small.push({ events, resolve, reject });
    });
  }

  /** Commits the queued small appends here, or hands them to the thread if it got busy meanwhile. */
  private flushSmall(): void {
    const batch = this.small;
    if (batch.length === 0 || !this.thread || !this.here) return;
    this.small = [];
    if (!this.thread.idle()) {
      // a write went to the thread since: these follow it there, in order
      for (const a of batch) this.thread.append(a.events).then(a.resolve, a.reject);
      return;
    }
    let rows: AppendedRows[];
    try {
      rows = this.here.appendGroups(batch.map((a) => a.events));
    } catch (err) {
      for (const a of batch) a.reject(err);
      return;
    }
    batch.forEach((a, i) => a.resolve(rows[i]!));
    // the user index's bulk insert (~40 ms) is the writer thread's, never this thread's; if the
    // call fails, the next small append asks again
    let newest = 0;
    for (const r of rows) for (const seq of r.seqs) if (seq > newest) newest = seq;
    if (newest > 0 && this.here.userIndexDue(newest)) this.thread.call('indexUsers').catch(() => {});
  }

  private appendInline(inline: InlineWrites, events: NewEvent[]): Promise<AppendedRows> {
    return new Promise((resolve, reject) => inline.appends.push(events, events.length, (err, rows) => (err === undefined ? resolve(rows!) : reject(err))));
  }

  /** The port's answer from the writer's seqs: a server-named event's id is prefix + seq. */
  private appendResult(events: NewEvent[], rows: AppendedRows): AppendResult {
    const { seqs, receivedAt } = rows;
    const prefix = this.eventIdPrefix;
    const accepted: number[] = [];
    const duplicates: number[] = [];
    const stored: StoredEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const seq = seqs[i]!;
      if (seq === 0) {
        duplicates.push(i);
        continue;
      }
      const e = events[i]!;
      accepted.push(i);
      stored.push(storedEvent(e, e.eventId ?? prefix + seq, seq, receivedAt));
    }
    return { accepted, duplicates, stored };
  }

  async userEvents(userId: string, opts: { limit?: number; since?: number } = {}): Promise<StoredEvent[]> {
    const limit = opts.limit ?? 1_000_000_000;
    const since = opts.since ?? Number.MIN_SAFE_INTEGER;
    const rows = this.s.userNewest(userId, since, limit);
    rows.reverse();
    return rows.map(this.fromRow);
  }

  async *scanEvents(opts: { afterSeq?: number; batchSize?: number } = {}): AsyncIterable<StoredEvent[]> {
    let after = opts.afterSeq ?? 0;
    const size = Math.max(1, opts.batchSize ?? 10_000);
    for (;;) {
      const rows = this.s.scanEvents.all(after, size);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.seq;
      yield rows.map(this.fromRow);
      if (rows.length < size) return;
    }
  }

  async countEvents(): Promise<number> {
    return this.s.countEvents.get()!.n;
  }

  async getEventByRecommendation(recommendationId: string): Promise<StoredEvent[]> {
    return this.s.eventsByRecommendation.all(recommendationId).map(this.fromRow);
  }

  saveModelVersion(meta: Omit<ModelVersion, 'version'>, artifact: Uint8Array): Promise<number> {
    return this.write('saveModelVersion', meta, artifact);
  }

  updateModelVersion(version: number, patch: Partial<Pick<ModelVersion, 'status' | 'note' | 'metrics'>>): Promise<void> {
    return this.write('updateModelVersion', version, patch);
  }

  async listModelVersions(opts: { limit?: number } = {}): Promise<ModelVersion[]> {
    return this.s.listModels.all(opts.limit ?? 1_000_000).map(modelFromRow);
  }

  async getModelArtifact(version: number): Promise<Uint8Array | undefined> {
    const row = this.s.getArtifact.get(version);
    return row ? new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) : undefined;
  }

  putDocument(collection: string, key: string, value: unknown): Promise<void> {
    return this.write('putDocument', collection, key, value);
  }

  async getDocument<T = unknown>(collection: string, key: string): Promise<T | undefined> {
    const row = this.s.getDocument.get(collection, key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async listDocuments<T = unknown>(collection: string): Promise<Array<{ key: string; value: T }>> {
    return this.s.listDocuments.all(collection).map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }));
  }

  deleteDocument(collection: string, key: string): Promise<boolean> {
    return this.write('deleteDocument', collection, key);
  }

  // --- recommendation log ---------------------------------------------------------------------

  private get log(): SqliteRecommendationLog {
    if (!this.recLog) throw new Error('SqliteStore is not open: call init() first');
    return this.recLog;
  }

  async logShownLists(lists: readonly ShownList[]): Promise<void> {
    await this.log.insert(lists);
  }

  async getShownList(recommendationId: string): Promise<ShownList | undefined> {
    return this.log.get(recommendationId);
  }

  async newestShownLists(limit: number): Promise<ShownList[]> {
    return this.log.newest(limit);
  }

  async deleteShownLists(filter: { userId: string } | { before: number }): Promise<number> {
    return this.log.delete(filter);
  }

  async *scanShownLists(opts: { batchSize?: number } = {}): AsyncIterable<ShownList[]> {
    yield* this.log.pages(Math.max(1, opts.batchSize ?? 1_000));
  }
}

function prepareStatements(db: Database.Database) {
  const s = {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    getItem: db.prepare<[string], ItemRow>('SELECT * FROM items WHERE id = ?'),
    listItemsFirst: db.prepare<[number], ItemRow>('SELECT * FROM items ORDER BY id LIMIT ?'),
    listItemsAfter: db.prepare<[string, number], ItemRow>('SELECT * FROM items WHERE id > ? ORDER BY id LIMIT ?'),
    countItems: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM items'),
    getUser: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    listUsersFirst: db.prepare<[number], UserRow>('SELECT * FROM users ORDER BY id LIMIT ?'),
    listUsersAfter: db.prepare<[string, number], UserRow>('SELECT * FROM users WHERE id > ? ORDER BY id LIMIT ?'),
    /** a user's events in the tail that events_by_user does not cover yet (USER_INDEX_UPTO_KEY) */
    userTailNewest: db.prepare<[number, string, number, number], EventRow>(
      'SELECT * FROM events WHERE seq > ? AND user_id = ? AND ts >= ? ORDER BY seq DESC LIMIT ?',
    ),
    /** a user's chunks of the user index, newest first (see pushIndexedNewest) */
    userChunksNewest: db.prepare<[string, number], { seqs: string }>('SELECT seqs FROM events_by_user WHERE user_id = ? AND first_seq <= ? ORDER BY first_seq DESC'),
    eventBySeq: db.prepare<[number], EventRow>('SELECT * FROM events WHERE seq = ?'),
    scanEvents: db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    countEvents: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
    eventsByRecommendation: db.prepare<[string], EventRow>('SELECT * FROM events WHERE recommendation_id = ? ORDER BY seq'),
    listModels: db.prepare<[number], ModelRow>('SELECT * FROM model_versions ORDER BY version DESC LIMIT ?'),
    getArtifact: db.prepare<[number], { data: Buffer }>('SELECT data FROM model_artifacts WHERE version = ?'),
    getDocument: db.prepare<[string, string], { value: string }>('SELECT value FROM documents WHERE collection = ? AND key = ?'),
    listDocuments: db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM documents WHERE collection = ? ORDER BY key'),
  };
  return {
    ...s,
    /**
     * A user's newest events (limit, ts ≥ since), newest first, in one read transaction: the
     * tail's bound and both parts from the same snapshot, so a bulk index write committed in
     * between neither hides nor repeats an event. Built once, as better-sqlite3's transaction()
     * defines four wrappers and their properties per call.
     */
    userNewest: db.transaction((userId: string, since: number, limit: number): EventRow[] => {
      const upto = Number(s.getMeta.get(USER_INDEX_UPTO_KEY)?.value ?? 0);
      const newest = s.userTailNewest.all(upto, userId, since, limit);
      if (newest.length < limit) pushIndexedNewest(s, userId, upto, since, limit, newest);
      return newest;
    }),
  };
}

type Statements = ReturnType<typeof prepareStatements>;
/** the statements pushIndexedNewest reads with */
type ReadStatements = Pick<Statements, 'userChunksNewest' | 'eventBySeq'>;

/**
 * Appends a user's indexed events with ts ≥ since to `out`, newest first, until it holds
 * `limit`: the chunks newest first (their ranges are disjoint, see CREATE_EVENTS_BY_USER), each
 * read from its end, an event fetched per seq. One SQL join ordered by chunk and array index
 * fetched every event of a chunk before sorting it: the indexed part of a user's newest event
 * (chunks of ~110 seqs) took 150–230 µs CPU that way, ~27 µs here, ~43 µs with v3's index;
 * userEvents as a whole (a short tail) is as fast as with v3 for limits 1 to 1,000.
 */
function pushIndexedNewest(s: ReadStatements, userId: string, upto: number, since: number, limit: number, out: EventRow[]): void {
  // returning from inside the loop ends the iteration (the statement is reset)
  for (const chunk of s.userChunksNewest.iterate(userId, upto)) {
    const seqs = JSON.parse(chunk.seqs) as number[];
    for (let i = seqs.length - 1; i >= 0; i--) {
      const row = s.eventBySeq.get(seqs[i]!);
      if (row !== undefined && row.ts >= since && out.push(row) >= limit) return;
    }
  }
}

/**
 * Creates the events table, or migrates an older file to this version (schema.ts). A file
 * already at this version is only read (an `attune export` beside a running server takes no
 * write lock); otherwise one IMMEDIATE transaction re-reads the version and upgrades, so two
 * processes opening an old file do not both migrate it.
 */
function migrateEvents(db: Database.Database, path: string): void {
  db.exec(CREATE_TABLES);
  const userVersion = (): number => db.pragma('user_version', { simple: true }) as number;
  const tooNew = (version: number): Error => new Error(`database ${path} has schema version ${version}, newer than this Attune (${SCHEMA_VERSION})`);
  const seen = userVersion();
  if (seen === SCHEMA_VERSION) return;
  if (seen > SCHEMA_VERSION) throw tooNew(seen);
  db.transaction(() => {
    const version = userVersion();
    if (version > SCHEMA_VERSION) throw tooNew(version);
    if (version === SCHEMA_VERSION) return;
    const maxSeq = (): number => db.prepare<[], { m: number | null }>('SELECT max(seq) AS m FROM events').get()!.m ?? 0;
    if (version === 1) {
      // v1's AUTOINCREMENT remembered seqs of deleted newest events: carry that over as the floor
      const used = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get()?.seq ?? 0;
      if (used > maxSeq()) db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(SEQ_FLOOR_KEY, String(used));
      db.exec(EVENTS_V1_TO_V2);
    } else if (version === 0) db.exec(EVENTS_TABLE_V2);
    if (version === 3) db.exec(EVENTS_V3_TO_V4);
    else {
      // version 2 (now, or from the steps above) → 4
      db.exec(EVENTS_V2_TO_V4);
      db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(USER_INDEX_UPTO_KEY, String(maxSeq()));
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/**
 * This database's prefix for server-named events' ids (prefix + seq), made once per database:
 * random, so ids from two databases do not collide, and stable, so an event keeps its id.
 */
function eventIdPrefix(db: Database.Database): string {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const existing = get.get(EVENT_ID_PREFIX_KEY)?.value;
  if (existing !== undefined) return existing;
  // INSERT OR IGNORE: a second process opening at the same moment keeps the first one's prefix
  db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)').run(EVENT_ID_PREFIX_KEY, `e${randomBytes(5).toString('hex')}-`);
  return get.get(EVENT_ID_PREFIX_KEY)!.value;
}

function cursorAfter(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = decodeCursor(cursor);
  if (id === undefined || id === '') throw new InvalidCursorError();
  return id;
}

function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(items[items.length - 1]!.id) };
}

function itemFromRow(r: ItemRow): ItemRecord {
  return {
    id: r.id,
    properties: JSON.parse(r.properties) as ItemRecord['properties'],
    available: r.available === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function userFromRow(r: UserRow): UserRecord {
  return {
    id: r.id,
    attributes: JSON.parse(r.attributes) as UserRecord['attributes'],
    preferences: JSON.parse(r.preferences) as UserRecord['preferences'],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function eventFromRow(r: EventRow, idPrefix: string): StoredEvent {
  const e: StoredEvent = { eventId: r.event_id ?? idPrefix + r.seq, seq: r.seq, type: r.type, userId: r.user_id, timestamp: r.ts, receivedAt: r.received_at };
  if (r.item_id !== null) e.itemId = r.item_id;
  if (r.value !== null) e.value = r.value;
  if (r.session_id !== null) e.sessionId = r.session_id;
  if (r.recommendation_id !== null) e.recommendationId = r.recommendation_id;
  if (r.context !== null) e.context = JSON.parse(r.context) as Record<string, unknown>;
  if (r.properties !== null) e.properties = JSON.parse(r.properties) as Record<string, unknown>;
  return e;
}

function modelFromRow(r: ModelRow): ModelVersion {
  const m: ModelVersion = {
    version: r.version,
    model: r.model,
    params: JSON.parse(r.params) as Record<string, unknown>,
    status: r.status,
    createdAt: r.created_at,
    metrics: JSON.parse(r.metrics) as Record<string, number>,
    trainingEvents: r.training_events,
    durationMs: r.duration_ms,
  };
  if (r.note !== null) m.note = r.note;
  return m;
}
