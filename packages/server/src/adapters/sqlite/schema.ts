/**
 * The SQLite tables. Version 1; `user_version` records it so later releases can migrate.
 * JSON columns hold open-ended maps (properties, attributes, context) as text.
 */
export const SCHEMA_VERSION = 1;

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
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
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
CREATE INDEX IF NOT EXISTS events_user ON events (user_id, seq);
CREATE INDEX IF NOT EXISTS events_recommendation ON events (recommendation_id) WHERE recommendation_id IS NOT NULL;
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
