import type Database from 'better-sqlite3';
import type { RecommendationLogFile } from './logFile.ts';

const COLUMNS = 'recommendation_id, user_id, surface, model_version, ts, item_ids, request, first_id, page';

/**
 * Databases written before the recommendation log had a file of its own hold it as a table of
 * the main file: its rows are copied into the log file and the table dropped, in one main-file
 * transaction. Copying ignores ids already there, so a move interrupted between the two files'
 * commits is simply redone at the next start. Runs before the log's writer thread starts.
 */
export function moveLogTableOut(main: Database.Database, log: RecommendationLogFile): number {
  if (log.path === ':memory:') return 0;
  const old = main.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'recommendation_log'").get();
  if (!old) return 0;
  main.prepare('ATTACH DATABASE ? AS rlog').run(log.path);
  try {
    return main.transaction(() => {
      const moved = main.prepare(`INSERT OR IGNORE INTO rlog.recommendation_log (${COLUMNS}) SELECT ${COLUMNS} FROM main.recommendation_log ORDER BY rowid`).run().changes;
      main.exec('DROP TABLE main.recommendation_log');
      return moved;
    })();
  } finally {
    main.exec('DETACH DATABASE rlog');
  }
}
