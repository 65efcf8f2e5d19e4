import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { recommendationLogPath } from '../../src/adapters/sqlite/recommendationLog/logFile.ts';
import { SqliteRecommendationLog } from '../../src/adapters/sqlite/recommendationLog/recommendationLog.ts';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import type { ShownList } from '../../src/ports/store.ts';

const dir = mkdtempSync(join(tmpdir(), 'attune-sqlite-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

/** The log table as the main file held it before the log had a file of its own. */
const MAIN_FILE_LOG_TABLE = `
CREATE TABLE recommendation_log (
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
CREATE INDEX recommendation_log_ts ON recommendation_log (ts);
`;

const list = (id: string, userId: string, ts: number): ShownList => ({ recommendationId: id, userId, surface: 'user', timestamp: ts, itemIds: ['a', 'b'], request: { n: 2 }, firstId: id, page: 1 });

function mainHasLogTable(path: string): boolean {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'recommendation_log'").get() !== undefined;
  } finally {
    db.close();
  }
}

describe('SQLite recommendation log file', () => {
  it('lives next to the main file, named after it', () => {
    expect(recommendationLogPath('/data/attune.db')).toBe('/data/attune.recommendation-log.db');
    expect(recommendationLogPath('/data/store')).toBe('/data/store.recommendation-log.db');
    expect(recommendationLogPath(':memory:')).toBe(':memory:');
  });

  it('a database from before the log file: its log table moves out once, rows intact, and paging still finds them', async () => {
    const path = join(dir, `old-${n++}.db`);
    const fresh = new SqliteStore({ path, writer: 'inline' });
    await fresh.init();
    await fresh.close();
    rmSync(recommendationLogPath(path));
    // as an older version left it: the log is a table of the main file
    const db = new Database(path);
    db.exec(MAIN_FILE_LOG_TABLE);
    const insert = db.prepare('INSERT INTO recommendation_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    for (let k = 0; k < 2_500; k++) insert.run(`r${k}`, `u${k % 3}`, 'user', 4, 1_000 + k, '["a","b"]', k === 7 ? '{"n":2}' : null, `r${k}`, 1);
    db.close();

    const store = new SqliteStore({ path, writer: 'thread' });
    await store.init();
    try {
      expect(mainHasLogTable(path)).toBe(false);
      expect(existsSync(recommendationLogPath(path))).toBe(true);
      expect(await store.getShownList('r7')).toEqual({ recommendationId: 'r7', userId: 'u1', surface: 'user', modelVersion: 4, timestamp: 1_007, itemIds: ['a', 'b'], request: { n: 2 }, firstId: 'r7', page: 1 });
      expect((await store.newestShownLists(3)).map((l) => l.recommendationId)).toEqual(['r2499', 'r2498', 'r2497']);
      const everything: string[] = [];
      for await (const page of store.scanShownLists({ batchSize: 1_000 })) everything.push(...page.map((l) => l.recommendationId));
      expect(everything).toHaveLength(2_500);
      expect(everything[0]).toBe('r0');
      // new lists go to the same file, through the writer thread
      await store.logShownLists([list('new', 'u9', 9_000)]);
      expect((await store.getShownList('new'))?.userId).toBe('u9');
    } finally {
      await store.close();
    }
    // a second start has nothing to move and keeps everything
    const again = new SqliteStore({ path, writer: 'inline' });
    await again.init();
    try {
      expect((await again.newestShownLists(10_000)).length).toBe(2_501);
    } finally {
      await again.close();
    }
  });

  it('writes through the writer thread are readable at once on the serving thread, in the order asked', async () => {
    const log = SqliteRecommendationLog.open(join(dir, `log-${n++}.db`));
    await log.startWriter();
    try {
      expect(log.threaded).toBe(true);
      const writes = [log.insert([list('a1', 'alice', 1), list('b1', 'bob', 2)]), log.delete({ userId: 'alice' }), log.insert([list('a2', 'alice', 3)]), log.reassign('bob', 'robert')];
      const [, deleted, , moved] = await Promise.all(writes);
      expect(deleted).toBe(1);
      expect(moved).toBe(1);
      expect(log.get('a1')).toBeUndefined();
      expect(log.get('a2')?.userId).toBe('alice');
      expect(log.get('b1')?.userId).toBe('robert');
    } finally {
      await log.close();
    }
  });

  it('if the writer thread dies, writes fall back to the serving thread instead of being lost', async () => {
    const log = SqliteRecommendationLog.open(join(dir, `log-${n++}.db`));
    await log.startWriter();
    try {
      // reaching into the private thread is the only way to kill it from outside
      await (log as unknown as { worker: Worker }).worker.terminate();
      await new Promise((resolve) => setImmediate(resolve));
      expect(log.threaded).toBe(false);
      await log.insert([list('after', 'u', 5)]);
      expect(log.get('after')?.userId).toBe('u');
      expect(await log.delete({ before: 10 })).toBe(1);
    } finally {
      await log.close();
    }
  });
});
