/**
 * The SQLite tables. `user_version` records the schema version; SqliteStore.init() migrates
 * older files (see EVENTS_V1_TO_V2, EVENTS_V2_TO_V4, EVENTS_V3_TO_V4). JSON columns hold
 * open-ended maps (properties, attributes, context) as text.
 *
 * Version 2 (events only): seq is the plain rowid (no AUTOINCREMENT bookkeeping per insert),
 * event_id holds only a client-sent eventId (the server names the others from seq, see
 * sqliteStore.ts) so its unique index is partial, and the user index is (user_id), which is
 * (user_id, rowid) underneath: the same order as before.
 *
 * Version 3 (events only): the user index is written in bulk instead of per insert, a row per
 * (user, event) in events_by_user.
 *
 * Version 4 (events only): events_by_user holds a row per (user, bulk write) instead, the
 * user's seqs of that write as one JSON array (CREATE_EVENTS_BY_USER).
 */
export const SCHEMA_VERSION = 4;

export const CREATE_TABLES = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY,
  properties TEXT NOT NULL,
  available INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  attributes TEXT NOT NULL,
  preferences TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS model_versions (
  version INTEGER PRIMARY KEY AUTOINCREMENT,
  model TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  metrics TEXT NOT NULL,
  training_events INTEGER NOT NULL,
  duration_ms REAL NOT NULL,
  note TEXT
);
CREATE TABLE IF NOT EXISTS model_artifacts (
  version INTEGER PRIMARY KEY,
  data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
  collection TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (collection, key)
) WITHOUT ROWID;
`;

/**
 * The events table at version 2, created apart from CREATE_TABLES so that init() can tell a
 * fresh file from a version-1 one that must be migrated first (version 4 then drops its user
 * index: see EVENTS_V2_TO_V4).
 *
 * Every index here is paid on every ingested event. Client eventIds are unique through a
 * PARTIAL index: server-named events (most of them) carry no id column value at all.
 */
export const EVENTS_TABLE_V2 = `
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY,
  event_id TEXT,
  type TEXT NOT NULL,
  user_id TEXT NOT NULL,
  item_id TEXT,
  value REAL,
  ts INTEGER NOT NULL,
  session_id TEXT,
  recommendation_id TEXT,
  context TEXT,
  properties TEXT,
  received_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON events (event_id) WHERE event_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS events_user ON events (user_id);
CREATE INDEX IF NOT EXISTS events_recommendation ON events (recommendation_id) WHERE recommendation_id IS NOT NULL;
`;

/**
 * meta: every event with a seq up to this one is in events_by_user; the newer ones (the tail,
 * fewer than USER_INDEX_EVERY) are found by a scan of the tail.
 */
export const USER_INDEX_UPTO_KEY = 'events_by_user_upto';

/**
 * Version 4's user index: for every event up to USER_INDEX_UPTO_KEY, its seq in a chunk of its
 * user, one row per (user, bulk write): first_seq is the chunk's lowest seq, seqs a JSON array
 * of them all, ascending. The writer adds the tail's chunks in one statement every
 * USER_INDEX_EVERY events (sqliteWriter.ts indexTail) instead of an index entry per insert: a
 * per-insert entry lands at one place per user, so every commit rewrote a page per active user
 * (with 300 users in 1,600-event commits that was ~65 % of SQLite's CPU per event).
 *
 * Version 3 wrote a row per event in bulk, one sorted insert of 32,768 (user_id, seq) entries:
 * ~1.5 µs of the writer thread's CPU per event in a profile of batched ingestion, as much as
 * the event inserts themselves. A row per (user, bulk write) makes that ~300 inserts for 300
 * active users. Built by a scan of the tail with a GROUP BY (a sort of the tail) that costs
 * ~0.7 µs per event; the writer skips even that when it noted the tail's seqs by user as it
 * appended them (sqliteWriter.ts TailChunks). Inline 1,000-event appends of 300 users, whole
 * append path, one loaded 2-core machine: 4.3 µs CPU per event with v3's index, 3.0–3.6 with
 * chunks from the scan, 2.6–2.8 from the noted seqs. With one event per user per bulk write
 * it is a row per event again, no worse than v3.
 *
 * Invariant (the readers rely on it): a user's chunks cover disjoint seq ranges, so the
 * chunks by first_seq, each read in array order, are the user's events in seq order. A bulk
 * write's chunks lie above every older chunk; a merge, which moves one user's chunks to
 * another, combines the chunks whose ranges overlap (SqliteWriter.mergeUsers).
 */
export const CREATE_EVENTS_BY_USER = `
CREATE TABLE IF NOT EXISTS events_by_user (
  user_id TEXT NOT NULL,
  first_seq INTEGER NOT NULL,
  seqs TEXT NOT NULL,
  PRIMARY KEY (user_id, first_seq)
) WITHOUT ROWID;
`;

/**
 * Events (at least) between two bulk writes of the user index; also the tail's bound. With
 * chunks, what grows with it is the tail's scan: a user read (user summary, a merge's check),
 * an erasure and a merge scan the tail, and a user with no events in it scans all of it. What
 * shrinks is the chunk rows per event, a row per active user per bulk write. Measured (inline
 * 1,000-event appends, whole append path µs CPU per event; the read of a user with no tail
 * events, tail nearly full), on a loaded 2-core machine:
 *
 *   every    300 users   5,000 users   read
 *    8,192   3.0–3.6     3.7–4.1       0.8–1.1 ms
 *   16,384   2.7–2.8     2.9–3.0       1.3–1.8 ms
 *   32,768   2.6–2.7     2.7–2.8       2.9 ms
 *   65,536   2.7–2.8     2.8–2.9       5.0–6.6 ms
 *
 * Ingestion is flat from 16,384 up with few users and from 32,768 up with many; the reads
 * double with each step. 32,768 keeps ingestion at its floor for many active users at ~1.5 ms
 * for the average such read (half a tail); 16,384 would halve that for ~0.2 µs per event
 * with 5,000 active users.
 */
export const USER_INDEX_EVERY = 32_768;

/**
 * Seqs per chunk when a migration builds chunks from a whole history at once (there is no bulk
 * write to follow): a user's chunk per window of this many seqs, so a user's chunks stay
 * disjoint and a read of the newest events parses only the newest windows.
 */
const MIGRATED_CHUNK_SEQS = USER_INDEX_EVERY;

/**
 * Version 2 → 4 (also a fresh file's last step): the user index moves into events_by_user,
 * read in the v2 index's order. init() records max(seq) as USER_INDEX_UPTO_KEY in the same
 * transaction.
 */
export const EVENTS_V2_TO_V4 = `
${CREATE_EVENTS_BY_USER}
INSERT INTO events_by_user (user_id, first_seq, seqs)
  SELECT user_id, min(seq), json_group_array(seq ORDER BY seq) FROM events GROUP BY user_id, seq / ${MIGRATED_CHUNK_SEQS};
DROP INDEX IF EXISTS events_user;
`;

/**
 * Version 3 → 4: v3's row per (user, event) becomes a chunk per (user, window of seqs).
 * USER_INDEX_UPTO_KEY keeps its value: the same events are indexed.
 */
export const EVENTS_V3_TO_V4 = `
ALTER TABLE events_by_user RENAME TO events_by_user_v3;
${CREATE_EVENTS_BY_USER}
INSERT INTO events_by_user (user_id, first_seq, seqs)
  SELECT user_id, min(seq), json_group_array(seq ORDER BY seq) FROM events_by_user_v3 GROUP BY user_id, seq / ${MIGRATED_CHUNK_SEQS};
DROP TABLE events_by_user_v3;
`;

/**
 * Version 1 → 2: the table is rebuilt, because v1's inline `event_id NOT NULL UNIQUE` cannot be
 * dropped in place. Rows keep their seq and their stored eventIds (v1 stored a generated id for
 * every event, so old events keep the ids they were reported with). Run inside one
 * transaction by init(), after recording v1's AUTOINCREMENT high-water mark (seq floor).
 */
export const EVENTS_V1_TO_V2 = `
ALTER TABLE events RENAME TO events_v1;
DROP INDEX IF EXISTS events_user;
DROP INDEX IF EXISTS events_recommendation;
${EVENTS_TABLE_V2.replace(/CREATE (UNIQUE )?INDEX[^;]*;/g, '')}
INSERT INTO events (seq, event_id, type, user_id, item_id, value, ts, session_id, recommendation_id, context, properties, received_at)
  SELECT seq, event_id, type, user_id, item_id, value, ts, session_id, recommendation_id, context, properties, received_at
  FROM events_v1 ORDER BY seq;
DROP TABLE events_v1;
${EVENTS_TABLE_V2.replace(/CREATE TABLE[^;]*;/, '')}
`;

/**
 * The recommendation log: one row per shown list (ports/store.ts ShownList). Created by init()
 * like the tables above (IF NOT EXISTS: databases from before it simply gain it). Every served
 * list is a row, so each index is paid on the request rate: ids are time-ordered (UUIDv7, see
 * services/serving/recommendationIds.ts) and `ts` grows, so both indexes take inserts at their
 * end; there is deliberately no index on user_id (random places: it doubled the insert cost),
 * and erasure walks the table in rowid steps instead.
 */
export const CREATE_RECOMMENDATION_LOG = `
CREATE TABLE IF NOT EXISTS recommendation_log (
  recommendation_id TEXT NOT NULL UNIQUE,
  user_id TEXT,
  surface TEXT NOT NULL,
  model_version INTEGER,
  ts INTEGER NOT NULL,
  item_ids TEXT NOT NULL,
  request TEXT,
  first_id TEXT NOT NULL,
  page INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS recommendation_log_ts ON recommendation_log (ts);
`;
