import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/adapters/postgres/postgresStore.ts';
import { MIGRATIONS } from '../../src/adapters/postgres/schema.ts';
import type { NewEvent, Store, StoredEvent } from '../../src/ports/store.ts';
import { storeConformance } from '../conformance/storeConformance.ts';

/**
 * Runs the Store conformance suite against a real PostgreSQL (PG_URL). Every store gets its own
 * schema, unique to this run, so parallel runs never see each other's rows; all are dropped at
 * the end.
 */
const url = process.env.PG_URL;
const run = `attune_t_${process.pid}_${randomBytes(3).toString('hex')}`;
const schemas: string[] = [];
let n = 0;

async function fresh(schema = `${run}_${n++}`): Promise<PostgresStore> {
  schemas.push(schema);
  const store = new PostgresStore({ url: url!, schema, poolSize: 4 });
  await store.init();
  return store;
}

afterAll(async () => {
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const s of new Set(schemas)) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  } finally {
    await client.end();
  }
});

describe.skipIf(!url)('PostgresStore', () => {
  storeConformance({
    name: 'PostgresStore',
    create: () => fresh(),
    async reopen(store: Store) {
      const schema = (store as PostgresStore).schema;
      await store.close();
      const again = new PostgresStore({ url: url!, schema });
      await again.init();
      return again;
    },
  });

  const ev = (userId: string, i: number, eventId?: string): NewEvent => ({
    type: 'view',
    userId,
    itemId: `i${i}`,
    timestamp: Date.UTC(2026, 0, 1) + i,
    ...(eventId === undefined ? {} : { eventId }),
  });

  it('replicas starting together migrate once; concurrent retries across replicas store each eventId once', async () => {
    const schema = `${run}_${n++}`;
    schemas.push(schema);
    const replicas = [0, 1, 2].map(() => new PostgresStore({ url: url!, schema, poolSize: 3 }));
    await Promise.all(replicas.map((r) => r.init()));
    try {
      // every replica retries the same 20 batches (a client retrying against another node)
      const batches = Array.from({ length: 20 }, (_, b) => Array.from({ length: 5 }, (_, k) => ev(`u${b % 3}`, b * 5 + k, `e${b}-${k}`)));
      const results = await Promise.all(replicas.flatMap((r) => batches.map((batch) => r.appendEvents(batch))));
      const stored: StoredEvent[] = results.flatMap((r) => r.stored ?? []);
      expect(stored).toHaveLength(100);
      expect(new Set(stored.map((e) => e.eventId)).size).toBe(100);
      expect(results.reduce((sum, r) => sum + r.accepted.length, 0)).toBe(100);
      expect(results.reduce((sum, r) => sum + r.duplicates.length, 0)).toBe(200);

      const scanned: StoredEvent[] = [];
      for await (const page of replicas[0]!.scanEvents({ batchSize: 7 })) scanned.push(...page);
      expect(scanned.map((e) => e.seq)).toEqual([...stored.map((e) => e.seq)].sort((a, b) => a - b));
      // within each accepted batch, seq follows input order
      for (const r of results) {
        const seqs = (r.stored ?? []).map((e) => e.seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      }
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  });

  it('keeps ids in byte order regardless of the database locale, and getItems in the order asked, like SQLite', async () => {
    const s = await fresh();
    try {
      const ids = ['b', 'B', 'a', 'é', 'Z', '_x', '10', '9'];
      await s.putItems(ids.map((id) => ({ id, properties: {}, available: true, createdAt: 1, updatedAt: 1 })));
      const page = await s.listItems({ limit: 100 });
      const bytewise = [...ids].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(page.items.map((i) => i.id)).toEqual(bytewise);
      // getItems answers in the order asked, like the SQLite adapter
      expect((await s.getItems(['b', 'missing', 'a', 'b'])).map((i) => i.id)).toEqual(['b', 'a', 'b']);
    } finally {
      await s.close();
    }
  });

  it("concurrent appends commit together, yet one caller's failing batch fails only that caller", async () => {
    const s = await fresh();
    try {
      // a null type violates NOT NULL: the kind of batch a caller could send past validation
      const bad = [{ ...ev('u', 99), type: null as unknown as string }];
      const calls = [s.appendEvents([ev('u', 1, 'x1')]), s.appendEvents(bad), s.appendEvents([ev('u', 2, 'x2'), ev('u', 3, 'x1')])];
      const [first, failed, third] = await Promise.allSettled(calls);
      expect(failed.status).toBe('rejected');
      expect(first).toMatchObject({ status: 'fulfilled', value: { accepted: [0], duplicates: [] } });
      expect(third).toMatchObject({ status: 'fulfilled', value: { accepted: [0], duplicates: [1] } });
      expect((await s.userEvents('u')).map((e) => e.eventId)).toEqual(['x1', 'x2']);
    } finally {
      await s.close();
    }
  });

  it('migration 3 keeps stored eventIds (still duplicates) and names new server events from seq', async () => {
    const schema = `${run}_${n++}`;
    schemas.push(schema);
    const q = `"${schema}"`;
    // a schema as migration 2 left it, with events that stored generated ids
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA ${q}`);
      for (const m of MIGRATIONS.filter((m) => m.version <= 2)) await client.query(m.sql.replaceAll('%s', q));
      await client.query(`INSERT INTO ${q}.meta (key, value) VALUES ('schema_version', '2')`);
      await client.query(`INSERT INTO ${q}.events (event_id, type, user_id, item_id, ts, received_at) VALUES ('old-1', 'view', 'u', 'a', 1, 1), ('old-2', 'view', 'u', 'b', 2, 2)`);
    } finally {
      await client.end();
    }
    const s = new PostgresStore({ url: url!, schema });
    await s.init();
    try {
      const r = await s.appendEvents([ev('u', 3, 'old-2'), ev('u', 4), ev('u', 5)]);
      expect(r.duplicates).toEqual([0]);
      expect(r.accepted).toEqual([1, 2]);
      const ids = r.stored!.map((e) => e.eventId);
      expect(new Set(ids).size).toBe(2);
      expect(ids).not.toContain(null);
      expect((await s.userEvents('u')).map((e) => e.eventId)).toEqual(['old-1', 'old-2', ...ids]);
      // reopening keeps the names (the prefix is stored once per database)
      const again = new PostgresStore({ url: url!, schema });
      await again.init();
      try {
        expect((await again.userEvents('u')).map((e) => e.eventId)).toEqual(['old-1', 'old-2', ...ids]);
      } finally {
        await again.close();
      }
    } finally {
      await s.close();
    }
  });

  it('rejects an invalid cursor and an unsafe schema name', async () => {
    const s = await fresh();
    try {
      await expect(s.listItems({ limit: 1, cursor: 'not a cursor!' })).rejects.toMatchObject({ code: 'invalid_cursor' });
    } finally {
      await s.close();
    }
    expect(() => new PostgresStore({ url: url!, schema: 'x"; DROP TABLE y; --' })).toThrow(/schema name/);
  });
});
