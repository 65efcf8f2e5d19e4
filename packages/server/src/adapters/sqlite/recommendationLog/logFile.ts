import { mkdirSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import Database from 'better-sqlite3';
import type { ShownList } from '../../../ports/store.ts';
import { CREATE_RECOMMENDATION_LOG } from '../schema.ts';
import { forEachPackedRow, packShownLists, type PackedLists } from './listPacking.ts';

/**
 * The recommendation log's own SQLite file, next to the main database: `attune.db` →
 * `attune.recommendation-log.db`. It takes a row per served list, i.e. writes at the request
 * rate, and a WAL checkpoint of that file fsyncs for 20–250 ms on a VM disk; in a file of its own
 * its writes and checkpoints can run on a worker thread (logWorker.ts) without contending with
 * the main file's writers. ':memory:' stays ':memory:' (a connection of its own, tests only).
 */
export function recommendationLogPath(storePath: string): string {
  if (storePath === ':memory:') return storePath;
  const ext = extname(storePath);
  return join(dirname(storePath), `${basename(storePath, ext)}.recommendation-log${ext || '.db'}`);
}

/** rows of the log one erasure step scans (a few ms) */
const ERASURE_STEP_ROWS = 10_000;
/** rows one retention step deletes (each costs index maintenance too) */
const RETENTION_STEP_ROWS = 2_000;

interface ShownListRow {
  recommendation_id: string;
  user_id: string | null;
  surface: string;
  model_version: number | null;
  ts: number;
  item_ids: string;
  request?: string | null;
  first_id: string;
  page: number;
}

/**
 * One connection to the log file, synchronous: used on the worker thread for writes and on the
 * serving thread for reads (and for writes where there is no worker: the CLI, the trainer,
 * in-memory stores). Opening creates the table, so the first connection is the one to open.
 */
export class RecommendationLogFile {
  readonly db: Database.Database;
  private readonly insertStmt;
  private readonly getStmt;
  private readonly newestStmt;
  private readonly maxRowidStmt;
  private readonly deleteUserRangeStmt;
  private readonly deleteBeforeStmt;
  private readonly reassignRangeStmt;
  /** insertPacked's transaction, built once (better-sqlite3's transaction() defines four wrappers per call) */
  private readonly insertPackedTransaction: (p: PackedLists) => void;
  /** whether this connection wrote: only a writer checkpoints at close (a reader's TRUNCATE would wait on the writer) */
  private wrote = false;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    this.db = db;
    db.pragma('journal_mode = WAL');
    // a served list is not an accepted event: losing the last lists to an OS crash is acceptable,
    // a corrupt file is not (NORMAL in WAL mode keeps the file consistent)
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(CREATE_RECOMMENDATION_LOG);
    this.insertStmt = db.prepare(
      `INSERT INTO recommendation_log (recommendation_id, user_id, surface, model_version, ts, item_ids, request, first_id, page)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(recommendation_id) DO NOTHING`,
    );
    this.getStmt = db.prepare<[string], ShownListRow>('SELECT * FROM recommendation_log WHERE recommendation_id = ?');
    this.newestStmt = db.prepare<[number], ShownListRow>(
      'SELECT recommendation_id, user_id, surface, model_version, ts, item_ids, first_id, page FROM recommendation_log ORDER BY ts DESC, rowid DESC LIMIT ?',
    );
    this.maxRowidStmt = db.prepare<[], { m: number | null }>('SELECT max(rowid) AS m FROM recommendation_log');
    this.deleteUserRangeStmt = db.prepare('DELETE FROM recommendation_log WHERE user_id = ? AND rowid >= ? AND rowid < ?');
    this.deleteBeforeStmt = db.prepare('DELETE FROM recommendation_log WHERE rowid IN (SELECT rowid FROM recommendation_log WHERE ts < ? LIMIT ?)');
    this.reassignRangeStmt = db.prepare('UPDATE recommendation_log SET user_id = ? WHERE user_id = ? AND rowid >= ? AND rowid < ?');
    const insert = this.insertStmt;
    this.insertPackedTransaction = db.transaction((p: PackedLists) => forEachPackedRow(p, (values) => insert.run(values)));
  }

  insert(lists: readonly ShownList[]): void {
    this.insertPacked(packShownLists(lists));
  }

  /** Inserts lists packed by packShownLists (how the writer thread receives them), in one transaction. */
  insertPacked(p: PackedLists): void {
    if (p.numbers.length === 0) return;
    this.wrote = true;
    this.insertPackedTransaction(p);
  }

  get(recommendationId: string): ShownList | undefined {
    const row = this.getStmt.get(recommendationId);
    return row ? shownListFromRow(row) : undefined;
  }

  newest(limit: number): ShownList[] {
    return this.newestStmt.all(Math.max(0, Math.floor(limit))).map(shownListFromRow);
  }

  /**
   * Deletes a user's lists (erasure) or the lists served before a time (retention) in bounded
   * steps, calling `between` after each so a caller on a serving thread can yield. There is no
   * user index (see schema.ts), so erasure walks the rowids.
   */
  async delete(filter: { userId: string } | { before: number }, between: () => Promise<void> | void = () => {}): Promise<number> {
    let deleted = 0;
    this.wrote = true;
    if (!('userId' in filter)) {
      for (let step = RETENTION_STEP_ROWS; step === RETENTION_STEP_ROWS; ) {
        if (deleted > 0) await between();
        step = this.deleteBeforeStmt.run(filter.before, RETENTION_STEP_ROWS).changes;
        deleted += step;
      }
      return deleted;
    }
    await this.walkRowids(between, (from, to) => {
      deleted += this.deleteUserRangeStmt.run(filter.userId, from, to).changes;
    });
    return deleted;
  }

  /** Moves a user's lists to another user id (a merge of an anonymous id into a known user). */
  async reassign(fromUserId: string, toUserId: string, between: () => Promise<void> | void = () => {}): Promise<number> {
    let moved = 0;
    this.wrote = true;
    await this.walkRowids(between, (from, to) => {
      moved += this.reassignRangeStmt.run(toUserId, fromUserId, from, to).changes;
    });
    return moved;
  }

  /** Every row, oldest first, in pages (export). */
  *pages(pageRows: number): Generator<ShownList[]> {
    const page = this.db.prepare<[number, number], ShownListRow & { rowid: number }>('SELECT rowid, * FROM recommendation_log WHERE rowid > ? ORDER BY rowid LIMIT ?');
    for (let after = 0; ; ) {
      const rows = page.all(after, pageRows);
      if (rows.length === 0) return;
      yield rows.map(shownListFromRow);
      if (rows.length < pageRows) return;
      after = rows[rows.length - 1]!.rowid;
    }
  }

  close(): void {
    if (!this.db.open) return;
    if (this.wrote) {
      try {
        // fold the WAL back into the file so a copied data dir is self-contained
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // another connection may hold the WAL; the next open recovers it
      }
    }
    this.db.close();
  }

  private async walkRowids(between: () => Promise<void> | void, step: (from: number, to: number) => void): Promise<void> {
    const last = this.maxRowidStmt.get()?.m ?? 0;
    for (let from = 0; from <= last; from += ERASURE_STEP_ROWS) {
      if (from > 0) await between();
      step(from, from + ERASURE_STEP_ROWS);
    }
  }
}

function shownListFromRow(r: ShownListRow): ShownList {
  const l: ShownList = { recommendationId: r.recommendation_id, surface: r.surface, timestamp: r.ts, itemIds: JSON.parse(r.item_ids) as string[], firstId: r.first_id, page: r.page };
  if (r.user_id !== null) l.userId = r.user_id;
  if (r.model_version !== null) l.modelVersion = r.model_version;
  if (r.request !== undefined && r.request !== null) l.request = JSON.parse(r.request) as unknown;
  return l;
}
