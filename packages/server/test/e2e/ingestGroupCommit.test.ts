import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import type { StoredEvent } from '../../src/ports/store.ts';
import { startTestServer, type TestServer } from './harness.ts';

/**
 * Concurrent POST /v1/events requests meet in one SQLite transaction (group commit). Each must
 * still get its own exact answer: accepted, duplicate (idempotent retry) or its own 400, and
 * a rejected event in one request must not affect the requests it shared a commit with.
 */
describe('POST /v1/events under group commit', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('answers every concurrent request exactly, and stores each event once', async () => {
    const singles = [
      ...Array.from({ length: 20 }, (_, k) => ({ kind: 'fresh', body: { eventId: `gc-${k}`, type: 'view', userId: `g${k % 4}`, itemId: `i${k}` } })),
      ...Array.from({ length: 10 }, () => ({ kind: 'dup', body: { eventId: 'gc-shared', type: 'cart', userId: 'g9', itemId: 'shared' } })),
      ...Array.from({ length: 10 }, (_, k) => ({ kind: 'bad', body: { eventId: `gc-bad-${k}`, type: 'view', itemId: `b${k}` } })),
      ...Array.from({ length: 20 }, (_, k) => ({ kind: 'anon', body: { type: 'view', userId: `n${k % 3}`, itemId: `a${k}` } })),
    ];
    const batches = Array.from({ length: 5 }, (_, b) => [
      { eventId: `gb-${b}`, type: 'view', userId: 'gb', itemId: `x${b}` },
      { eventId: `gb-${b}`, type: 'view', userId: 'gb', itemId: `x${b}` },
      { type: 'view', userId: 'gb', itemId: 42 },
      { type: 'view', userId: 'gb', itemId: `y${b}` },
    ]);
    const [singleReplies, batchReplies] = await Promise.all([
      Promise.all(singles.map((s) => t.call('POST', '/v1/events', s.body))),
      Promise.all(batches.map((b) => t.call('POST', '/v1/events', b))),
    ]);

    singles.forEach((s, k) => {
      const r = singleReplies[k]!;
      if (s.kind === 'bad') {
        expect(r.status).toBe(400);
        expect(r.json.error).toMatchObject({ code: 'missing_field', path: '$.userId' });
      } else if (s.kind !== 'dup') {
        expect(r.status).toBe(200);
        expect(r.json).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      }
    });
    const dupReplies = singleReplies.filter((_, k) => singles[k]!.kind === 'dup');
    expect(dupReplies.every((r) => r.status === 200)).toBe(true);
    expect(dupReplies.filter((r) => r.json.accepted === 1)).toHaveLength(1);
    expect(dupReplies.filter((r) => r.json.duplicates === 1)).toHaveLength(9);

    for (const r of batchReplies) {
      expect(r.status).toBe(200);
      expect(r.json.accepted).toBe(2);
      expect(r.json.duplicates).toBe(1);
      expect(r.json.rejected).toEqual([expect.objectContaining({ index: 2, path: '$[2].itemId' })]);
    }

    // a retry of everything after the fact: every event with an eventId is a duplicate now
    const retry = await t.call('POST', '/v1/events', [...singles.filter((s) => s.kind !== 'anon' && s.kind !== 'bad').map((s) => s.body)]);
    expect(retry.json).toMatchObject({ accepted: 0, duplicates: 30 });

    // what is stored: 20 fresh + 1 shared + 20 anonymous singles, 2 per batch
    await t.server.close();
    const store = new SqliteStore({ path: join(t.dir, 'attune.db') });
    await store.init();
    try {
      const all: StoredEvent[] = [];
      for await (const page of store.scanEvents()) all.push(...page);
      expect(all).toHaveLength(20 + 1 + 20 + 10);
      expect(new Set(all.map((e) => e.seq)).size).toBe(all.length);
      expect(new Set(all.map((e) => e.eventId)).size).toBe(all.length);
      expect(all.filter((e) => e.itemId === 'shared')).toHaveLength(1);
      expect(all.filter((e) => e.itemId?.startsWith('b'))).toEqual([]);
    } finally {
      await store.close();
      await t.restart();
    }
  });
});
