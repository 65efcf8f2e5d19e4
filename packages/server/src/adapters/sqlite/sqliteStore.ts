import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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
import { CREATE_TABLES, EVENTS_TABLE_V2, EVENTS_V1_TO_V2, SCHEMA_VERSION } from './schema.ts';
import { recommendationLogPath } from './recommendationLog/logFile.ts';
import { moveLogTableOut } from './recommendationLog/moveLogTable.ts';
import { SqliteRecommendationLog, type LogWriterMode } from './recommendationLog/recommendationLog.ts';

export interface SqliteStoreOptions {
  /** file path, or ':memory:' */
  path: string;
  /**
   * 'normal' (default): in WAL mode a commit survives a process crash, and only an OS crash or
   * power loss can lose the last transactions. 'full' fsyncs every commit (slower ingest).
   */
  synchronous?: 'normal' | 'full';
  /**
   * Who writes the recommendation log's file (recommendationLog/logFile.ts): 'worker' (a server:
   * a thread of its own, so its commits and checkpoints never stall requests) or 'inline'
   * (default: the CLI, the trainer, tests).
   */
  logWriter?: LogWriterMode;
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
/**
 * meta: the highest seq ever handed out, kept only while it is above max(seq) because the
 * newest events were deleted. seq is the plain rowid (max + 1), and the trainer and online
 * state compare seqs with a model's "trained up to", so a seq must never be handed out twice.
 */
const SEQ_FLOOR_KEY = 'events_seq_floor';
/** A batch arriving within this long of the previous commit (ms)… */
const GROUP_COMMIT_BUSY_MS = 50;
/** …waits this long (ms) for others to share its commit… */
const GROUP_COMMIT_WINDOW_MS = 4;
/** …if the first of them brings at least this many events; */
const GROUP_COMMIT_MIN_BATCH = 100;
/** …and unless this many events are already waiting. */
const GROUP_COMMIT_MAX_EVENTS = 4096;

/**
 * The embedded default store: one SQLite file in WAL mode through better-sqlite3. Calls are
 * synchronous underneath (fast, no thread hop); the async signatures are the port's so that
 * networked adapters share one contract. Every statement is prepared once.
 */
export class SqliteStore implements Store {
  readonly path: string;
  private readonly synchronous: 'normal' | 'full';
  private db: Database.Database | undefined;
  private stmts: Statements | undefined;
  private recLog: SqliteRecommendationLog | undefined;
  private readonly logWriter: LogWriterMode;
  private appendTx: ((events: NewEvent[], receivedAt: number) => AppendResult) | undefined;
  /** see EVENT_ID_PREFIX_KEY */
  private eventIdPrefix = '';
  /** set at the start of an append transaction when a seq floor is pending (SEQ_FLOOR_KEY) */
  private explicitSeq = 0;
  private pendingAppends: Array<{ events: NewEvent[]; resolve: (r: AppendResult) => void; reject: (err: unknown) => void }> = [];
  private pendingEventCount = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushEnd = -Infinity;
  private readonly flushBound = (): void => this.flushAppends();

  constructor(opts: SqliteStoreOptions) {
    this.path = opts.path;
    this.synchronous = opts.synchronous ?? 'normal';
    this.logWriter = opts.logWriter ?? 'inline';
  }

  async init(): Promise<void> {
    if (this.db) return;
    if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
    const db = new Database(this.path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    // 64 MiB page cache: the events indexes take inserts at random places (user ids), and
    // SQLite's 2 MiB default makes a large ingest re-read index pages from disk
    db.pragma('cache_size = -65536');
    // checkpoint every ~64 MiB of WAL instead of 4 MiB: a page that many commits rewrite (the
    // user index's) is copied into the database once per checkpoint, not once per few commits
    // (1,000-row commits into a 1.5M-row table: 5.7 ms CPU at SQLite's default, 5.2 at 16 MiB,
    // 4.6–4.8 at 64 MiB); the WAL is truncated again at close
    db.pragma('wal_autocheckpoint = 16000');
    // a second process (e.g. `attune import` next to a running server) waits instead of failing
    db.pragma('busy_timeout = 5000');
    try {
      migrateEvents(db, this.path);
    } catch (err) {
      db.close();
      throw err;
    }
    let recLog: SqliteRecommendationLog | undefined;
    try {
      recLog = SqliteRecommendationLog.open(recommendationLogPath(this.path));
      // databases from before the log had a file of its own keep it as a table: moved over once
      moveLogTableOut(db, recLog.file);
      if (this.logWriter === 'worker') await recLog.startWriter();
    } catch (err) {
      await recLog?.close();
      db.close();
      throw err;
    }
    this.recLog = recLog;
    this.eventIdPrefix = eventIdPrefix(db);
    this.db = db;
    this.stmts = prepareStatements(db);
    this.appendTx = this.makeAppendRows();
  }

  /** Whether the database is open (readiness). */
  isOpen(): boolean {
    return this.db !== undefined && this.db.open;
  }

  async close(): Promise<void> {
    if (!this.db) return;
    // appends already requested are written, not dropped
    this.flushAppends();
    // fold the WAL back into the main file so a copied data dir is self-contained
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // a reader in another process may hold the WAL; the next open recovers it
    }
    this.db.close();
    this.db = undefined;
    this.stmts = undefined;
    await this.recLog?.close();
    this.recLog = undefined;
    this.appendTx = undefined;
  }

  private makeAppendRows() {
    const { insertEvent, insertEventAt } = this.stmts!;
    const prefix = this.eventIdPrefix;
    // plain function: flushAppends wraps a whole group of calls in ONE transaction
    return (events: NewEvent[], receivedAt: number): AppendResult => {
      const accepted: number[] = [];
      const duplicates: number[] = [];
      const stored: StoredEvent[] = [];
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        // a server-named event stores no id: it is prefix + seq, known once the row is in
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
          const seq = Number(info.lastInsertRowid);
          if (explicit > 0) this.seqFloorUsed();
          accepted.push(i);
          stored.push(storedEvent(e, clientId ?? prefix + seq, seq, receivedAt));
        } else duplicates.push(i);
      }
      return { accepted, duplicates, stored };
    };
  }

  private readonly fromRow = (r: EventRow): StoredEvent => eventFromRow(r, this.eventIdPrefix);

  /** The pending seq floor was used by the row just inserted: later rows are numbered as usual. */
  private seqFloorUsed(): void {
    this.explicitSeq = 0;
    this.s.deleteMeta.run(SEQ_FLOOR_KEY);
  }

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

  async putItemSchema(schema: ItemSchema): Promise<void> {
    this.s.putMeta.run(ITEM_SCHEMA_KEY, JSON.stringify(schema));
  }

  async putItems(items: ItemRecord[]): Promise<void> {
    const put = this.s.putItem;
    this.database.transaction((list: ItemRecord[]) => {
      for (const it of list) put.run(it.id, JSON.stringify(it.properties), it.available ? 1 : 0, it.createdAt, it.updatedAt);
    })(items);
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

  async deleteItem(id: string): Promise<boolean> {
    return this.s.deleteItem.run(id).changes > 0;
  }

  async countItems(): Promise<number> {
    return this.s.countItems.get()!.n;
  }

  async putUser(user: UserRecord): Promise<void> {
    this.s.putUser.run(user.id, JSON.stringify(user.attributes), JSON.stringify(user.preferences), user.createdAt, user.updatedAt);
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

  async deleteUser(id: string): Promise<boolean> {
    const s = this.s;
    return this.database
      .transaction(() => {
        const newest = s.maxSeq.get()!.m ?? 0;
        const events = s.deleteUserEvents.run(id).changes;
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

  async mergeUsers(from: string, into: string): Promise<{ movedEvents: number }> {
    if (from === into) return { movedEvents: 0 };
    const s = this.s;
    const result = this.database.transaction(() => {
      const movedEvents = s.moveUserEvents.run(into, from).changes;
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
    // the merged user's shown lists follow, so their attribution and paging name the known user
    await this.log.reassign(from, into);
    return result;
  }

  /**
   * Group commit: appends requested in the same turn of the event loop (e.g. many concurrent
   * single-event POSTs) share one transaction, committed before any of their promises resolve.
   * A commit per request would cap single-event ingest at a few thousand per second.
   */
  appendEvents(events: NewEvent[]): Promise<AppendResult> {
    if (!this.appendTx) return Promise.reject(new Error('SqliteStore is not open: call init() first'));
    if (events.length === 0) return Promise.resolve({ accepted: [], duplicates: [] });
    return new Promise((resolve, reject) => {
      this.pendingAppends.push({ events, resolve, reject });
      this.pendingEventCount += events.length;
      if (this.pendingAppends.length === 1) {
        // Idle: commit on the next turn. Busy with batches (a commit ended moments ago): hold
        // the commit for the group window so that concurrent batches share it. Each commit
        // rewrites every index page it touched (the user index takes inserts at one place per
        // user), so in SQLite alone 4,000 rows in one transaction cost ~40 % less CPU per row
        // than 4 × 1,000; with 4 clients posting 1,000-event batches this raised batches per
        // commit from 1.7 to 2.8. Single events skip the window: their concurrent requests
        // already meet in one turn, and a closed-loop client's rate is bounded by latency.
        const since = performance.now() - this.lastFlushEnd;
        if (events.length < GROUP_COMMIT_MIN_BATCH || since >= GROUP_COMMIT_BUSY_MS) setImmediate(this.flushBound);
        else this.flushTimer = setTimeout(this.flushBound, GROUP_COMMIT_WINDOW_MS);
      } else if (this.pendingEventCount >= GROUP_COMMIT_MAX_EVENTS && this.flushTimer) {
        // enough for an efficient commit: no reason to hold the answers back
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
        setImmediate(this.flushBound);
      }
    });
  }

  private flushAppends(): void {
    const pending = this.pendingAppends;
    this.pendingAppends = [];
    this.pendingEventCount = 0;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (pending.length === 0) return;
    if (!this.db || !this.appendTx) {
      for (const p of pending) p.reject(new Error('SqliteStore was closed before the events were written'));
      return;
    }
    const appendTx = this.appendTx;
    const s = this.s;
    try {
      // IMMEDIATE: the write lock is taken before the seq-floor read, so another process
      // cannot commit in between (a deferred read-then-write would fail with SQLITE_BUSY)
      const results = this.db
        .transaction(() => {
          const receivedAt = Date.now();
          this.explicitSeq = pendingSeqFloor(s);
          return pending.map((p) => appendTx(p.events, receivedAt));
        })
        .immediate();
      pending.forEach((p, i) => p.resolve(results[i]!));
    } catch (err) {
      for (const p of pending) p.reject(err);
    } finally {
      this.lastFlushEnd = performance.now();
    }
  }

  async userEvents(userId: string, opts: { limit?: number; since?: number } = {}): Promise<StoredEvent[]> {
    const limit = opts.limit ?? 1_000_000_000;
    const rows = this.s.userEventsNewest.all(userId, opts.since ?? Number.MIN_SAFE_INTEGER, limit);
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

  async saveModelVersion(meta: Omit<ModelVersion, 'version'>, artifact: Uint8Array): Promise<number> {
    const s = this.s;
    return this.database.transaction(() => {
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

  async updateModelVersion(version: number, patch: Partial<Pick<ModelVersion, 'status' | 'note' | 'metrics'>>): Promise<void> {
    const row = this.s.getModel.get(version);
    if (!row) throw new Error(`model version ${version} does not exist`);
    const current = modelFromRow(row);
    const note = 'note' in patch ? patch.note : current.note;
    this.s.updateModel.run(patch.status ?? current.status, note ?? null, JSON.stringify(patch.metrics ?? current.metrics), version);
  }

  async listModelVersions(opts: { limit?: number } = {}): Promise<ModelVersion[]> {
    return this.s.listModels.all(opts.limit ?? 1_000_000).map(modelFromRow);
  }

  async getModelArtifact(version: number): Promise<Uint8Array | undefined> {
    const row = this.s.getArtifact.get(version);
    return row ? new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) : undefined;
  }

  async putDocument(collection: string, key: string, value: unknown): Promise<void> {
    this.s.putDocument.run(collection, key, JSON.stringify(value));
  }

  async getDocument<T = unknown>(collection: string, key: string): Promise<T | undefined> {
    const row = this.s.getDocument.get(collection, key);
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  async listDocuments<T = unknown>(collection: string): Promise<Array<{ key: string; value: T }>> {
    return this.s.listDocuments.all(collection).map((r) => ({ key: r.key, value: JSON.parse(r.value) as T }));
  }

  async deleteDocument(collection: string, key: string): Promise<boolean> {
    return this.s.deleteDocument.run(collection, key).changes > 0;
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
  return {
    getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
    putMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    deleteMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
    putItem: db.prepare(
      `INSERT INTO items (id, properties, available, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET properties = excluded.properties, available = excluded.available,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    getItem: db.prepare<[string], ItemRow>('SELECT * FROM items WHERE id = ?'),
    listItemsFirst: db.prepare<[number], ItemRow>('SELECT * FROM items ORDER BY id LIMIT ?'),
    listItemsAfter: db.prepare<[string, number], ItemRow>('SELECT * FROM items WHERE id > ? ORDER BY id LIMIT ?'),
    deleteItem: db.prepare('DELETE FROM items WHERE id = ?'),
    countItems: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM items'),
    putUser: db.prepare(
      `INSERT INTO users (id, attributes, preferences, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET attributes = excluded.attributes, preferences = excluded.preferences,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    getUser: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    listUsersFirst: db.prepare<[number], UserRow>('SELECT * FROM users ORDER BY id LIMIT ?'),
    listUsersAfter: db.prepare<[string, number], UserRow>('SELECT * FROM users WHERE id > ? ORDER BY id LIMIT ?'),
    deleteUserRow: db.prepare('DELETE FROM users WHERE id = ?'),
    deleteUserEvents: db.prepare('DELETE FROM events WHERE user_id = ?'),
    moveUserEvents: db.prepare('UPDATE events SET user_id = ? WHERE user_id = ?'),
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
    userEventsNewest: db.prepare<[string, number, number], EventRow>(
      'SELECT * FROM events WHERE user_id = ? AND ts >= ? ORDER BY seq DESC LIMIT ?',
    ),
    scanEvents: db.prepare<[number, number], EventRow>('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
    countEvents: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events'),
    eventsByRecommendation: db.prepare<[string], EventRow>('SELECT * FROM events WHERE recommendation_id = ? ORDER BY seq'),
    insertModel: db.prepare(
      `INSERT INTO model_versions (model, params, status, created_at, metrics, training_events, duration_ms, note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertArtifact: db.prepare('INSERT INTO model_artifacts (version, data) VALUES (?, ?)'),
    getModel: db.prepare<[number], ModelRow>('SELECT * FROM model_versions WHERE version = ?'),
    updateModel: db.prepare('UPDATE model_versions SET status = ?, note = ?, metrics = ? WHERE version = ?'),
    listModels: db.prepare<[number], ModelRow>('SELECT * FROM model_versions ORDER BY version DESC LIMIT ?'),
    getArtifact: db.prepare<[number], { data: Buffer }>('SELECT data FROM model_artifacts WHERE version = ?'),
    putDocument: db.prepare(
      'INSERT INTO documents (collection, key, value) VALUES (?, ?, ?) ON CONFLICT(collection, key) DO UPDATE SET value = excluded.value',
    ),
    getDocument: db.prepare<[string, string], { value: string }>('SELECT value FROM documents WHERE collection = ? AND key = ?'),
    listDocuments: db.prepare<[string], { key: string; value: string }>('SELECT key, value FROM documents WHERE collection = ? ORDER BY key'),
    deleteDocument: db.prepare('DELETE FROM documents WHERE collection = ? AND key = ?'),
  };
}

type Statements = ReturnType<typeof prepareStatements>;

/**
 * Creates the events table, or migrates a version-1 file to version 2 (schema.ts). A file
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
    if (version === 1) {
      // v1's AUTOINCREMENT remembered seqs of deleted newest events: carry that over as the floor
      const used = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get()?.seq ?? 0;
      const max = db.prepare<[], { m: number | null }>('SELECT max(seq) AS m FROM events').get()!.m ?? 0;
      if (used > max) db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(SEQ_FLOOR_KEY, String(used));
      db.exec(EVENTS_V1_TO_V2);
    } else db.exec(EVENTS_TABLE_V2);
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

/** The seq the next appended event must take when the newest events were deleted, else 0. */
function pendingSeqFloor(s: Statements): number {
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
