import { existsSync } from 'node:fs';

/**
 * Whether another process has the SQLite database open (a running `attune serve`, a training
 * run …). Every open connection in WAL mode holds a shared lock on the file, so a connection
 * that asks for an exclusive lock without waiting is refused exactly while another one is open.
 * The probe holds the lock for one empty transaction only.
 */
export async function databaseInUse(path: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT;');
    return false;
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return true;
    throw err;
  } finally {
    db.close();
  }
}
