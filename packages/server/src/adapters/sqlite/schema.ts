/**
 * The SQLite tables. `user_version` records the schema version; SqliteStore.init() migrates
 * older files (see EVENTS_V1_TO_V2). JSON columns hold open-ended maps (properties, attributes,
 * context) as text.
 *
 * Version 2 (events only): seq is the plain rowid (no AUTOINCREMENT bookkeeping per insert),
 * event_id holds only a client-sent eventId (the server names the others from seq, see
 * sqliteStore.ts) so its unique index is partial, and the user index is (user_id), which is
 * (user_id, rowid) underneath: the same order as before.
 */
export const SCHEMA_VERSION = 2;

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
 * fresh file from a version-1 one that must be migrated first.
 *
 * Every index here is paid on every ingested event. The user index is what remains costly
 * (inserts land at one place per user, so a commit rewrites a page per active user); it serves
 * the user summary, erasure and merges. Client eventIds are unique through a PARTIAL index:
 * server-named events (most of them) carry no id column value at all.
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
