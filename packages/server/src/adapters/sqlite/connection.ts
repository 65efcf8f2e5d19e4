import Database from 'better-sqlite3';

/** Opens a connection to the store's database with the pragmas every connection of it uses. */
export function openConnection(path: string, synchronous: 'normal' | 'full'): Database.Database {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('foreign_keys = ON');
    // 64 MiB page cache: the events indexes take inserts at random places (user ids), and
    // SQLite's 2 MiB default makes a large ingest re-read index pages from disk
    db.pragma('cache_size = -65536');
    // checkpoint every ~64 MiB of WAL instead of 4 MiB: a page that many commits rewrite (the
    // user index's) is copied into the database once per checkpoint, not once per few commits
    // (1,000-row commits into a 1.5M-row table: 5.7 ms CPU at SQLite's default, 5.2 at 16 MiB,
    // 4.6–4.8 at 64 MiB); the WAL is truncated again at close
    db.pragma('wal_autocheckpoint = 16000');
    // a second connection (the other thread's, or e.g. `attune import` next to a running
    // server) waits instead of failing
    db.pragma('busy_timeout = 5000');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}
