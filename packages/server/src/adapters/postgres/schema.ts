/**
 * PostgreSQL tables, as numbered migrations applied in order by PostgresStore.init(). The
 * applied version lives in `meta` under 'schema_version'; append a migration, never edit one.
 *
 * Choices that keep semantics identical to the SQLite adapter:
 * - ids and document keys use COLLATE "C" so ORDER BY / `>` compare bytes like SQLite's BINARY
 *   collation: cursor paging returns the same order whatever the database's locale is.
 * - epoch-millisecond times are bigint (pg returns int8 as strings; the row mappers convert).
 * - open-ended maps are jsonb (JSON text in SQLite): values round-trip through JSON either way.
 */
export interface Migration {
  version: number;
  /** SQL with `%s` standing for the quoted schema name */
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
CREATE TABLE IF NOT EXISTS %s.meta (
  key text COLLATE "C" PRIMARY KEY,
  value jsonb NOT NULL
);
CREATE TABLE IF NOT EXISTS %s.items (
  id text COLLATE "C" PRIMARY KEY,
  properties jsonb NOT NULL,
  available boolean NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS %s.users (
  id text COLLATE "C" PRIMARY KEY,
  attributes jsonb NOT NULL,
  preferences jsonb NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS %s.events (
  seq bigserial PRIMARY KEY,
  event_id text NOT NULL UNIQUE,
  type text NOT NULL,
  user_id text NOT NULL,
  item_id text,
  value double precision,
  ts bigint NOT NULL,
  session_id text,
  recommendation_id text,
  context jsonb,
  properties jsonb,
  received_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS events_user ON %s.events (user_id, seq);
CREATE INDEX IF NOT EXISTS events_recommendation ON %s.events (recommendation_id) WHERE recommendation_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS %s.model_versions (
  version serial PRIMARY KEY,
  model text NOT NULL,
  params jsonb NOT NULL,
  status text NOT NULL,
  created_at bigint NOT NULL,
  metrics jsonb NOT NULL,
  training_events bigint NOT NULL,
  duration_ms double precision NOT NULL,
  note text
);
CREATE TABLE IF NOT EXISTS %s.model_artifacts (
  version integer PRIMARY KEY REFERENCES %s.model_versions (version) ON DELETE CASCADE,
  data bytea NOT NULL
);
CREATE TABLE IF NOT EXISTS %s.documents (
  collection text COLLATE "C" NOT NULL,
  key text COLLATE "C" NOT NULL,
  value jsonb NOT NULL,
  PRIMARY KEY (collection, key)
);
`,
  },
  {
    // the recommendation log: one row per shown list (ports/store.ts ShownList)
    version: 2,
    sql: `
CREATE TABLE IF NOT EXISTS %s.recommendation_log (
  recommendation_id text COLLATE "C" PRIMARY KEY,
  user_id text,
  surface text NOT NULL,
  model_version integer,
  ts bigint NOT NULL,
  item_ids jsonb NOT NULL,
  request jsonb,
  first_id text NOT NULL,
  page integer NOT NULL
);
CREATE INDEX IF NOT EXISTS recommendation_log_ts ON %s.recommendation_log (ts);
CREATE INDEX IF NOT EXISTS recommendation_log_user ON %s.recommendation_log (user_id) WHERE user_id IS NOT NULL;
`,
  },
  {
    // events as SQLite's schema v2: only a client-sent eventId is stored (server-named events
    // are the per-database prefix + seq), so the uniqueness index covers those rows alone
    version: 3,
    sql: `
ALTER TABLE %s.events ALTER COLUMN event_id DROP NOT NULL;
ALTER TABLE %s.events DROP CONSTRAINT IF EXISTS events_event_id_key;
CREATE UNIQUE INDEX IF NOT EXISTS events_event_id ON %s.events (event_id) WHERE event_id IS NOT NULL;
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Schema names are interpolated into SQL, so only plain identifiers are accepted. */
export function quoteSchema(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid PostgreSQL schema name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}
