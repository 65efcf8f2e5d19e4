import { randomBytes } from 'node:crypto';
import pg from 'pg';
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
import { cursorAfter, pageLimit, pageOf } from './paging.ts';
import { eventFromRow, itemFromRow, modelFromRow, userFromRow, type EventRow, type ItemRow, type ModelRow, type UserRow } from './rows.ts';
import { storedEvent } from '../storedEvent.ts';
import { shownListFromRow, type ShownListRow } from './shownListRows.ts';
import { MIGRATIONS, quoteSchema, SCHEMA_VERSION } from './schema.ts';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/database (sslmode etc. as URL parameters) */
  url: string;
  /** schema holding Attune's tables, created when missing; one per deployment. Default 'attune' */
  schema?: string;
  /** most connections this store opens. Default 10 */
  poolSize?: number;
  /** an idle pooled connection failed (the pool replaces it); default: ignored */
  onError?: (err: Error) => void;
}

interface PendingAppend {
  events: NewEvent[];
  resolve: (r: AppendResult) => void;
  reject: (err: unknown) => void;
}

/** most events one group-commit transaction takes (a single larger call still goes alone) */
const GROUP_COMMIT_EVENTS = 20_000;

/** a pool or one checked-out connection (inside a transaction) */
type Queryable = pg.Pool | pg.PoolClient;

/** First key of Attune's two-key advisory locks (an arbitrary constant: 'ATN'). */
const LOCK_CLASS = 0x41544e;
const ITEM_SCHEMA_KEY = 'item_schema';
const VERSION_KEY = 'schema_version';
/** meta: this database's prefix for the ids of server-named events (prefix + seq) */
const EVENT_ID_PREFIX_KEY = 'event_id_prefix';

/**
 * The scale-out store: PostgreSQL through a node-postgres pool, several server replicas sharing
 * one schema.
 *
 * `seq` must grow in COMMIT order (the trainer reads `scanEvents({afterSeq})` and online state
 * trims by seq: an event committed later with a smaller seq would be skipped forever). A
 * sequence alone only orders by insert time, so every append takes a per-schema transaction-level
 * advisory lock: batches commit one at a time across all replicas, each one multi-row insert.
 */
export class PostgresStore implements Store {
  readonly schema: string;
  private readonly q: string;
  private readonly poolOptions: pg.PoolConfig;
  private readonly onError: (err: Error) => void;
  private pool: pg.Pool | undefined;
  private readonly appendQueue: PendingAppend[] = [];
  private flushing = false;
  /** see EVENT_ID_PREFIX_KEY */
  private eventIdPrefix = '';
  private readonly fromRow = (r: EventRow): StoredEvent => eventFromRow(r, this.eventIdPrefix);

  constructor(opts: PostgresStoreOptions) {
    this.schema = opts.schema ?? 'attune';
    this.q = quoteSchema(this.schema);
    this.poolOptions = { connectionString: opts.url, max: opts.poolSize ?? 10 };
    this.onError = opts.onError ?? (() => {});
  }

  async init(): Promise<void> {
    if (this.pool) return;
    const pool = new pg.Pool(this.poolOptions);
    // without a listener, an idle connection dropped by the server would crash the process
    pool.on('error', (err) => this.onError(err));
    try {
      await this.migrate(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    this.pool = pool;
  }

  /** Applies pending migrations under a lock so that replicas starting together do not race. */
  private async migrate(pool: pg.Pool): Promise<void> {
    await withTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, `${this.schema}.migrate`]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.q}`);
      const exists = await c.query<{ t: string | null }>('SELECT to_regclass($1) AS t', [`${this.q}.meta`]);
      let current = 0;
      if (exists.rows[0]!.t !== null) {
        const row = await c.query<{ value: number }>(`SELECT value FROM ${this.q}.meta WHERE key = $1`, [VERSION_KEY]);
        current = row.rows[0]?.value ?? 0;
      }
      if (current > SCHEMA_VERSION) {
        throw new Error(`PostgreSQL schema ${this.schema} has version ${current}, newer than this Attune (${SCHEMA_VERSION})`);
      }
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        await c.query(m.sql.replaceAll('%s', this.q));
        await this.putMeta(c, VERSION_KEY, m.version);
      }
      // made once per database (under the migration lock): random, so two databases' ids differ
      await c.query(`INSERT INTO ${this.q}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [
        EVENT_ID_PREFIX_KEY,
        JSON.stringify(`e${randomBytes(5).toString('hex')}-`),
      ]);
      const prefix = await c.query<{ value: string }>(`SELECT value FROM ${this.q}.meta WHERE key = $1`, [EVENT_ID_PREFIX_KEY]);
      this.eventIdPrefix = prefix.rows[0]!.value;
    });
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await pool.end();
  }

  private get db(): pg.Pool {
    if (!this.pool) throw new Error('PostgresStore is not open: call init() first');
    return this.pool;
  }

  private async rows<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.db.query<R>(text, values)).rows;
  }

  private async changed(text: string, values: unknown[]): Promise<number> {
    return (await this.db.query(text, values)).rowCount ?? 0;
  }

  private async putMeta(c: Queryable, key: string, value: unknown): Promise<void> {
    await c.query(`INSERT INTO ${this.q}.meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
      key,
      JSON.stringify(value),
    ]);
  }

  async getItemSchema(): Promise<ItemSchema | undefined> {
    const [row] = await this.rows<{ value: ItemSchema }>(`SELECT value FROM ${this.q}.meta WHERE key = $1`, [ITEM_SCHEMA_KEY]);
    return row?.value;
  }

  async putItemSchema(schema: ItemSchema): Promise<void> {
    await this.putMeta(this.db, ITEM_SCHEMA_KEY, schema);
  }

  async putItems(items: ItemRecord[]): Promise<void> {
    if (items.length === 0) return;
    // one statement is one transaction; a later duplicate id in the batch wins, as in SQLite
    const last = new Map(items.map((it) => [it.id, it]));
    const list = [...last.values()];
    await this.db.query(
      `INSERT INTO ${this.q}.items (id, properties, available, created_at, updated_at)
       SELECT * FROM unnest($1::text[], $2::jsonb[], $3::boolean[], $4::bigint[], $5::bigint[])
       ON CONFLICT (id) DO UPDATE SET properties = excluded.properties, available = excluded.available,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
      [
        list.map((i) => i.id),
        list.map((i) => JSON.stringify(i.properties)),
        list.map((i) => i.available),
        list.map((i) => i.createdAt),
        list.map((i) => i.updatedAt),
      ],
    );
  }

  async getItem(id: string): Promise<ItemRecord | undefined> {
    const [row] = await this.rows<ItemRow>(`SELECT * FROM ${this.q}.items WHERE id = $1`, [id]);
    return row ? itemFromRow(row) : undefined;
  }

  async getItems(ids: string[]): Promise<ItemRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.rows<ItemRow>(`SELECT * FROM ${this.q}.items WHERE id = ANY($1::text[])`, [[...new Set(ids)]]);
    // in the order asked, missing ones left out, as the SQLite adapter answers
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [itemFromRow(row)] : [];
    });
  }

  async listItems(opts: { cursor?: string; limit: number }): Promise<Page<ItemRecord>> {
    return pageOf((await this.listAfter<ItemRow>('items', opts)).map(itemFromRow), pageLimit(opts.limit));
  }

  /** One row more than the page, after the cursor's id, in id order. */
  private async listAfter<R extends pg.QueryResultRow>(table: 'items' | 'users', opts: { cursor?: string; limit: number }): Promise<R[]> {
    const after = cursorAfter(opts.cursor);
    const n = pageLimit(opts.limit) + 1;
    return after === undefined
      ? this.rows<R>(`SELECT * FROM ${this.q}.${table} ORDER BY id LIMIT $1`, [n])
      : this.rows<R>(`SELECT * FROM ${this.q}.${table} WHERE id > $1 ORDER BY id LIMIT $2`, [after, n]);
  }

  async deleteItem(id: string): Promise<boolean> {
    return (await this.changed(`DELETE FROM ${this.q}.items WHERE id = $1`, [id])) > 0;
  }

  async countItems(): Promise<number> {
    return Number((await this.rows<{ n: string }>(`SELECT count(*) AS n FROM ${this.q}.items`))[0]!.n);
  }

  async putUser(user: UserRecord): Promise<void> {
    await this.upsertUser(this.db, user);
  }

  /** `replace` false keeps an existing record (DO NOTHING) */
  private async upsertUser(c: Queryable, user: UserRecord, replace = true): Promise<void> {
    const action = replace
        ? `DO UPDATE SET attributes = excluded.attributes, preferences = excluded.preferences,
             created_at = excluded.created_at, updated_at = excluded.updated_at`
        : 'DO NOTHING';
    await c.query(
      `INSERT INTO ${this.q}.users (id, attributes, preferences, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) ${action}`,
      [user.id, JSON.stringify(user.attributes), JSON.stringify(user.preferences), user.createdAt, user.updatedAt],
    );
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const [row] = await this.rows<UserRow>(`SELECT * FROM ${this.q}.users WHERE id = $1`, [id]);
    return row ? userFromRow(row) : undefined;
  }

  async listUsers(opts: { cursor?: string; limit: number }): Promise<Page<UserRecord>> {
    return pageOf((await this.listAfter<UserRow>('users', opts)).map(userFromRow), pageLimit(opts.limit));
  }

  async deleteUser(id: string): Promise<boolean> {
    return withTransaction(this.db, async (c) => {
      await this.lockEvents(c);
      const events = (await c.query(`DELETE FROM ${this.q}.events WHERE user_id = $1`, [id])).rowCount ?? 0;
      const users = (await c.query(`DELETE FROM ${this.q}.users WHERE id = $1`, [id])).rowCount ?? 0;
      return events + users > 0;
    });
  }

  async mergeUsers(from: string, into: string): Promise<{ movedEvents: number }> {
    if (from === into) return { movedEvents: 0 };
    return withTransaction(this.db, async (c) => {
      await this.lockEvents(c);
      const movedEvents = (await c.query(`UPDATE ${this.q}.events SET user_id = $1 WHERE user_id = $2`, [into, from])).rowCount ?? 0;
      const source = (await c.query<UserRow>(`SELECT * FROM ${this.q}.users WHERE id = $1`, [from])).rows[0];
      // a target without a record inherits the source's; DO NOTHING keeps an existing (or concurrently created) one
      const now = Date.now();
      const inherited = source ? userFromRow(source) : undefined;
      await this.upsertUser(
        c,
        { id: into, attributes: inherited?.attributes ?? {}, preferences: inherited?.preferences ?? {}, createdAt: inherited?.createdAt ?? now, updatedAt: now },
        false,
      );
      await c.query(`DELETE FROM ${this.q}.users WHERE id = $1`, [from]);
      // the merged user's shown lists follow, so their attribution and paging name the known user
      await c.query(`UPDATE ${this.q}.recommendation_log SET user_id = $1 WHERE user_id = $2`, [into, from]);
      return { movedEvents };
    });
  }

  async appendEvents(events: NewEvent[]): Promise<AppendResult> {
    if (events.length === 0) return { accepted: [], duplicates: [] };
    return new Promise<AppendResult>((resolve, reject) => {
      this.appendQueue.push({ events, resolve, reject });
      void this.flushAppends();
    });
  }

  /**
   * Group commit. Appends are serialised by the events lock anyway, so calls arriving while a
   * transaction runs are queued and the next transaction stores them all, in call order: the
   * first caller wins a contested eventId and seq follows call order, as with SQLite.
   */
  private async flushAppends(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.appendQueue.length > 0) {
        let size = 0;
        let take = 0;
        while (take < this.appendQueue.length && (take === 0 || size + this.appendQueue[take]!.events.length <= GROUP_COMMIT_EVENTS)) {
          size += this.appendQueue[take]!.events.length;
          take++;
        }
        await this.appendGroup(this.appendQueue.splice(0, take));
      }
    } finally {
      this.flushing = false;
    }
  }

  private async appendGroup(group: PendingAppend[]): Promise<void> {
    let result: AppendResult;
    try {
      result = await this.appendNow(group.flatMap((g) => g.events));
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // one caller's bad batch must not fail the others: retry each on its own
      for (const g of group) await this.appendGroup([g]);
      return;
    }
    // split the combined result back into each caller's indices
    let offset = 0;
    let a = 0;
    let d = 0;
    for (const g of group) {
      const end = offset + g.events.length;
      const own: Required<AppendResult> = { accepted: [], duplicates: [], stored: [] };
      for (; a < result.accepted.length && result.accepted[a]! < end; a++) {
        own.accepted.push(result.accepted[a]! - offset);
        own.stored.push(result.stored![a]!);
      }
      for (; d < result.duplicates.length && result.duplicates[d]! < end; d++) own.duplicates.push(result.duplicates[d]! - offset);
      g.resolve(own);
      offset = end;
    }
  }

  private async appendNow(events: NewEvent[]): Promise<AppendResult> {
    const receivedAt = Date.now();
    // a server-named event stores no id (null): it is prefix + seq
    const ids = events.map((e) => e.eventId ?? null);
    // within the batch the first occurrence of an eventId is the candidate, later ones are retries
    const seen = new Set<string>();
    const candidates: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id !== null) {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      candidates.push(i);
    }
    const inserted = await withTransaction(this.db, async (c) => {
      await this.lockEvents(c);
      // seq values taken explicitly and assigned in input order, rather than relying on the
      // order in which an INSERT … SELECT evaluates column defaults
      const seqRows = await c.query<{ v: string }>('SELECT nextval($1::regclass) AS v FROM generate_series(1, $2)', [
        `${this.q}.events_seq_seq`,
        candidates.length,
      ]);
      const seqs = seqRows.rows.map((r) => Number(r.v)).sort((a, b) => a - b);
      const pick = <V>(f: (e: NewEvent) => V): V[] => candidates.map((i) => f(events[i]!));
      const json = (v: Record<string, unknown> | undefined): string | null => (v === undefined ? null : JSON.stringify(v));
      const res = await c.query<{ seq: string }>(
        `INSERT INTO ${this.q}.events
           (seq, event_id, type, user_id, item_id, value, ts, session_id, recommendation_id, context, properties, received_at)
         SELECT t.*, $12::bigint FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[],
           $7::bigint[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[]) AS t
         ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING
         RETURNING seq`,
        [
          seqs,
          candidates.map((i) => ids[i] ?? null),
          pick((e) => e.type),
          pick((e) => e.userId),
          pick((e) => e.itemId ?? null),
          pick((e) => e.value ?? null),
          pick((e) => e.timestamp),
          pick((e) => e.sessionId ?? null),
          pick((e) => e.recommendationId ?? null),
          pick((e) => json(e.context)),
          pick((e) => json(e.properties)),
          receivedAt,
        ],
      );
      // candidate k took seqs[k] if its row went in
      const insertedSeqs = new Set(res.rows.map((r) => Number(r.seq)));
      const seqOfIndex = new Map<number, number>();
      candidates.forEach((i, k) => {
        if (insertedSeqs.has(seqs[k]!)) seqOfIndex.set(i, seqs[k]!);
      });
      return seqOfIndex;
    });
    const accepted: number[] = [];
    const duplicates: number[] = [];
    const stored: StoredEvent[] = [];
    for (let i = 0; i < events.length; i++) {
      const seq = inserted.get(i);
      if (seq !== undefined) {
        accepted.push(i);
        stored.push(storedEvent(events[i]!, ids[i] ?? this.eventIdPrefix + seq, seq, receivedAt));
      } else duplicates.push(i);
    }
    return { accepted, duplicates, stored };
  }

  /**
   * The per-schema events lock, held until the transaction ends. Appends take it so that seq
   * order is commit order (see the class comment); deleteUser and mergeUsers take it so that an
   * event appended concurrently for the user cannot be left behind (SQLite gets both from its
   * single writer).
   */
  private async lockEvents(c: pg.PoolClient): Promise<void> {
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, `${this.schema}.events`]);
  }

  async userEvents(userId: string, opts: { limit?: number; since?: number } = {}): Promise<StoredEvent[]> {
    // LIMIT NULL means no limit
    const rows = await this.rows<EventRow>(`SELECT * FROM ${this.q}.events WHERE user_id = $1 AND ts >= $2 ORDER BY seq DESC LIMIT $3`, [
      userId,
      opts.since ?? Number.MIN_SAFE_INTEGER,
      opts.limit ?? null,
    ]);
    rows.reverse();
    return rows.map(this.fromRow);
  }

  async *scanEvents(opts: { afterSeq?: number; batchSize?: number } = {}): AsyncIterable<StoredEvent[]> {
    let after = opts.afterSeq ?? 0;
    const size = Math.max(1, opts.batchSize ?? 10_000);
    for (;;) {
      const rows = await this.rows<EventRow>(`SELECT * FROM ${this.q}.events WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, size]);
      if (rows.length === 0) return;
      const page = rows.map(this.fromRow);
      after = page[page.length - 1]!.seq;
      yield page;
      if (rows.length < size) return;
    }
  }

  async *scanShownLists(opts: { batchSize?: number } = {}): AsyncIterable<ShownList[]> {
    const size = Math.max(1, opts.batchSize ?? 1_000);
    // keyset on the primary key (UUIDv7 ids are time-ordered): no OFFSET rescans
    for (let after = ''; ; ) {
      const rows = await this.rows<ShownListRow>(`SELECT * FROM ${this.q}.recommendation_log WHERE recommendation_id > $1 ORDER BY recommendation_id LIMIT $2`, [after, size]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.recommendation_id;
      yield rows.map(shownListFromRow);
      if (rows.length < size) return;
    }
  }

  async countEvents(): Promise<number> {
    return Number((await this.rows<{ n: string }>(`SELECT count(*) AS n FROM ${this.q}.events`))[0]!.n);
  }

  async getEventByRecommendation(recommendationId: string): Promise<StoredEvent[]> {
    const rows = await this.rows<EventRow>(`SELECT * FROM ${this.q}.events WHERE recommendation_id = $1 ORDER BY seq`, [recommendationId]);
    return rows.map(this.fromRow);
  }

  async saveModelVersion(meta: Omit<ModelVersion, 'version'>, artifact: Uint8Array): Promise<number> {
    return withTransaction(this.db, async (c) => {
      const res = await c.query<{ version: number }>(
        `INSERT INTO ${this.q}.model_versions (model, params, status, created_at, metrics, training_events, duration_ms, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING version`,
        [meta.model, JSON.stringify(meta.params), meta.status, meta.createdAt, JSON.stringify(meta.metrics), meta.trainingEvents, meta.durationMs, meta.note ?? null],
      );
      const version = res.rows[0]!.version;
      const bytes = Buffer.from(artifact.buffer, artifact.byteOffset, artifact.byteLength);
      await c.query(`INSERT INTO ${this.q}.model_artifacts (version, data) VALUES ($1, $2)`, [version, bytes]);
      return version;
    });
  }

  async updateModelVersion(version: number, patch: Partial<Pick<ModelVersion, 'status' | 'note' | 'metrics'>>): Promise<void> {
    await withTransaction(this.db, async (c) => {
      const row = (await c.query<ModelRow>(`SELECT * FROM ${this.q}.model_versions WHERE version = $1 FOR UPDATE`, [version])).rows[0];
      if (!row) throw new Error(`model version ${version} does not exist`);
      const current = modelFromRow(row);
      // an explicit `note: undefined` clears the note, as in the SQLite adapter
      const note = 'note' in patch ? patch.note : current.note;
      await c.query(`UPDATE ${this.q}.model_versions SET status = $1, note = $2, metrics = $3 WHERE version = $4`, [
        patch.status ?? current.status,
        note ?? null,
        JSON.stringify(patch.metrics ?? current.metrics),
        version,
      ]);
    });
  }

  async listModelVersions(opts: { limit?: number } = {}): Promise<ModelVersion[]> {
    const rows = await this.rows<ModelRow>(`SELECT * FROM ${this.q}.model_versions ORDER BY version DESC LIMIT $1`, [opts.limit ?? null]);
    return rows.map(modelFromRow);
  }

  async getModelArtifact(version: number): Promise<Uint8Array | undefined> {
    const [row] = await this.rows<{ data: Buffer }>(`SELECT data FROM ${this.q}.model_artifacts WHERE version = $1`, [version]);
    // a plain Uint8Array view, like the SQLite adapter returns (Buffer is a subclass with other methods)
    return row ? new Uint8Array(row.data.buffer, row.data.byteOffset, row.data.byteLength) : undefined;
  }

  async putDocument(collection: string, key: string, value: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO ${this.q}.documents (collection, key, value) VALUES ($1, $2, $3)
       ON CONFLICT (collection, key) DO UPDATE SET value = excluded.value`,
      [collection, key, JSON.stringify(value)],
    );
  }

  async getDocument<T = unknown>(collection: string, key: string): Promise<T | undefined> {
    const [row] = await this.rows<{ value: T }>(`SELECT value FROM ${this.q}.documents WHERE collection = $1 AND key = $2`, [collection, key]);
    return row?.value;
  }

  async listDocuments<T = unknown>(collection: string): Promise<Array<{ key: string; value: T }>> {
    return this.rows<{ key: string; value: T }>(`SELECT key, value FROM ${this.q}.documents WHERE collection = $1 ORDER BY key`, [collection]);
  }

  async deleteDocument(collection: string, key: string): Promise<boolean> {
    return (await this.changed(`DELETE FROM ${this.q}.documents WHERE collection = $1 AND key = $2`, [collection, key])) > 0;
  }

  // --- recommendation log ---------------------------------------------------------------------

  async logShownLists(lists: readonly ShownList[]): Promise<void> {
    if (lists.length === 0) return;
    // one multi-row statement per batch, parameters as column arrays (any batch size, one round trip)
    const cols: unknown[][] = [[], [], [], [], [], [], [], [], []];
    for (const l of lists) {
      cols[0]!.push(l.recommendationId);
      cols[1]!.push(l.userId ?? null);
      cols[2]!.push(l.surface);
      cols[3]!.push(l.modelVersion ?? null);
      cols[4]!.push(l.timestamp);
      cols[5]!.push(JSON.stringify(l.itemIds));
      cols[6]!.push(l.request === undefined ? null : JSON.stringify(l.request));
      cols[7]!.push(l.firstId);
      cols[8]!.push(l.page);
    }
    await this.db.query(
      `INSERT INTO ${this.q}.recommendation_log (recommendation_id, user_id, surface, model_version, ts, item_ids, request, first_id, page)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::bigint[], $6::jsonb[], $7::jsonb[], $8::text[], $9::integer[])
       ON CONFLICT (recommendation_id) DO NOTHING`,
      cols,
    );
  }

  async getShownList(recommendationId: string): Promise<ShownList | undefined> {
    const [row] = await this.rows<ShownListRow>(`SELECT * FROM ${this.q}.recommendation_log WHERE recommendation_id = $1`, [recommendationId]);
    return row ? shownListFromRow(row) : undefined;
  }

  async newestShownLists(limit: number): Promise<ShownList[]> {
    const rows = await this.rows<ShownListRow>(
      `SELECT recommendation_id, user_id, surface, model_version, ts, item_ids, first_id, page FROM ${this.q}.recommendation_log ORDER BY ts DESC, recommendation_id DESC LIMIT $1`,
      [Math.max(0, Math.floor(limit))],
    );
    return rows.map(shownListFromRow);
  }

  async deleteShownLists(filter: { userId: string } | { before: number }): Promise<number> {
    return 'userId' in filter
      ? this.changed(`DELETE FROM ${this.q}.recommendation_log WHERE user_id = $1`, [filter.userId])
      : this.changed(`DELETE FROM ${this.q}.recommendation_log WHERE ts < $1`, [filter.before]);
  }
}

/** Runs `fn` in one transaction on one pooled connection; rolls back when it throws. */
async function withTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken: Error | undefined;
  try {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await c.query('ROLLBACK');
    } catch (rollbackErr) {
      // the connection itself failed: destroy it rather than return it to the pool
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
    }
    throw err;
  } finally {
    c.release(broken);
  }
}
