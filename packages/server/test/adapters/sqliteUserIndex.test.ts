import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { USER_INDEX_UPTO_KEY } from '../../src/adapters/sqlite/schema.ts';
import { disjointChunks } from '../../src/adapters/sqlite/sqliteWriter.ts';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';
import type { NewEvent } from '../../src/ports/store.ts';

const USERS = ['a', 'b', 'c', 'd'];

const dir = mkdtempSync(join(tmpdir(), 'attune-user-index-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** `via`: which of the connections makes the write (ops.via % connections) */
type Op = { via: number } & (
  | { kind: 'append'; events: Array<{ user: number; eventId?: number; ts: number }> }
  | { kind: 'delete'; user: number }
  | { kind: 'merge'; from: number; into: number }
  | { kind: 'read'; user: number; limit?: number; since?: number }
);

const opKindArb = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      // few eventIds, so that some repeat: duplicates, also after their event was erased
      events: fc.array(fc.record({ user: fc.nat(USERS.length - 1), eventId: fc.option(fc.nat(12), { nil: undefined }), ts: fc.nat(50) }, { requiredKeys: ['user', 'ts'] }), {
        minLength: 1,
        maxLength: 12,
      }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), user: fc.nat(USERS.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('merge' as const), from: fc.nat(USERS.length - 1), into: fc.nat(USERS.length - 1) }) },
  {
    weight: 2,
    arbitrary: fc.record(
      { kind: fc.constant('read' as const), user: fc.nat(USERS.length - 1), limit: fc.integer({ min: 1, max: 8 }), since: fc.nat(50) },
      { requiredKeys: ['kind', 'user'] },
    ),
  },
);
const opArb: fc.Arbitrary<Op> = fc.tuple(opKindArb, fc.nat(1)).map(([op, via]) => ({ ...op, via }));

/** What the store should hold: each user's events, oldest first. */
interface ModelEvent {
  seq: number;
  itemId: string;
  eventId?: string;
  ts: number;
}

function expectedRead(model: Map<string, ModelEvent[]>, user: string, limit?: number, since?: number): Array<[number, string, number]> {
  const events = (model.get(user) ?? []).filter((e) => since === undefined || e.ts >= since);
  return events.slice(limit === undefined ? 0 : Math.max(0, events.length - limit)).map((e) => [e.seq, e.itemId, e.ts]);
}

/**
 * The user index's rows against the events table: each user's chunks are ascending, disjoint
 * and in first_seq order, name only that user's events, and with the tail hold all of them.
 */
function checkIndex(db: Database.Database): void {
  const upto = Number((db.prepare('SELECT value FROM meta WHERE key = ?').get(USER_INDEX_UPTO_KEY) as { value: string } | undefined)?.value ?? 0);
  const chunks = db.prepare('SELECT user_id, first_seq, seqs FROM events_by_user ORDER BY user_id, first_seq').all() as Array<{ user_id: string; first_seq: number; seqs: string }>;
  const indexed = new Map<string, number[]>();
  for (const c of chunks) {
    const seqs = JSON.parse(c.seqs) as number[];
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs[0]).toBe(c.first_seq);
    const list = indexed.get(c.user_id) ?? [];
    // disjoint and in order: this chunk starts above the user's previous chunk's end
    for (const q of seqs) {
      if (list.length > 0) expect(q).toBeGreaterThan(list[list.length - 1]!);
      expect(q).toBeLessThanOrEqual(upto);
      list.push(q);
    }
    indexed.set(c.user_id, list);
  }
  const rows = db.prepare('SELECT user_id, seq FROM events WHERE seq <= ? ORDER BY seq').all(upto) as Array<{ user_id: string; seq: number }>;
  const actual = new Map<string, number[]>();
  for (const r of rows) actual.set(r.user_id, [...(actual.get(r.user_id) ?? []), r.seq]);
  expect(indexed).toEqual(actual);
}

/**
 * Runs `ops` through the stores (connections to one database) and checks every read, and after
 * every op the user index's rows (checkIndex), against a model of each user's events.
 */
async function matchesModel(stores: SqliteStore[], ops: readonly Op[]): Promise<void> {
  // the store's connection, reached past the private field, to check the index rows
  const db = (stores[0] as unknown as { db: Database.Database }).db;
  const model = new Map<string, ModelEvent[]>(USERS.map((u) => [u, []]));
  // users with a record: a merge gives its target one
  const records = new Set<string>();
  let lastSeq = 0;
  let item = 0;
  for (const op of ops) {
    const store = stores[op.via % stores.length]!;
    if (op.kind === 'append') {
      const events: NewEvent[] = op.events.map((e) => ({
        type: 'view',
        userId: USERS[e.user]!,
        itemId: `i${item++}`,
        timestamp: e.ts,
        ...(e.eventId === undefined ? {} : { eventId: `id-${e.eventId}` }),
      }));
      const r = await store.appendEvents(events);
      const held = new Set([...model.values()].flat().flatMap((e) => (e.eventId === undefined ? [] : [e.eventId])));
      const duplicates: number[] = [];
      events.forEach((e, i) => {
        if (e.eventId !== undefined && held.has(e.eventId)) duplicates.push(i);
        else if (e.eventId !== undefined) held.add(e.eventId);
      });
      expect(r.duplicates).toEqual(duplicates);
      for (const s of r.stored!) {
        expect(s.seq).toBeGreaterThan(lastSeq);
        lastSeq = s.seq;
        model.get(s.userId)!.push({ seq: s.seq, itemId: s.itemId!, ts: s.timestamp, ...(s.eventId.startsWith('id-') ? { eventId: s.eventId } : {}) });
      }
    } else if (op.kind === 'delete') {
      const user = USERS[op.user]!;
      const had = model.get(user)!.length > 0 || records.has(user);
      expect(await store.deleteUser(user)).toBe(had);
      model.set(user, []);
      records.delete(user);
    } else if (op.kind === 'merge') {
      const [from, into] = [USERS[op.from]!, USERS[op.into]!];
      const moved = model.get(from)!;
      expect(await store.mergeUsers(from, into)).toEqual({ movedEvents: from === into ? 0 : moved.length });
      if (from !== into) {
        model.set(into, [...model.get(into)!, ...moved].sort((x, y) => x.seq - y.seq));
        model.set(from, []);
        records.delete(from);
        records.add(into);
      }
    } else {
      const user = USERS[op.user]!;
      const got = await store.userEvents(user, { ...(op.limit === undefined ? {} : { limit: op.limit }), ...(op.since === undefined ? {} : { since: op.since }) });
      expect(got.map((e) => [e.seq, e.itemId, e.timestamp])).toEqual(expectedRead(model, user, op.limit, op.since));
      expect(got.every((e) => e.userId === user)).toBe(true);
    }
    checkIndex(db);
  }
  for (const user of USERS) {
    const got = await stores[0]!.userEvents(user);
    expect(got.map((e) => [e.seq, e.itemId, e.timestamp])).toEqual(expectedRead(model, user));
    expect(got.flatMap((e) => (e.eventId.startsWith('id-') ? [e.eventId] : []))).toEqual(model.get(user)!.flatMap((e) => (e.eventId === undefined ? [] : [e.eventId])));
  }
}

describe('SqliteStore user index (chunks per user and bulk write)', () => {
  it("a user's events read through the store equal a model after random appends, erasures and merges across many bulk writes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.array(opArb, { minLength: 1, maxLength: 40 }), async (every, ops) => {
        const store = new SqliteStore({ path: ':memory:', userIndexEvery: every });
        await store.init();
        try {
          await matchesModel([store], ops);
        } finally {
          await store.close();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the same with two connections to one file writing in turn (neither knows the tail the other appended)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 9 }), fc.array(opArb, { minLength: 1, maxLength: 40 }), async (every, ops) => {
        const path = join(dir, `two-${files++}.sqlite`);
        const stores = [new SqliteStore({ path, writer: 'inline', userIndexEvery: every }), new SqliteStore({ path, writer: 'inline', userIndexEvery: every })];
        try {
          for (const s of stores) await s.init();
          await matchesModel(stores, ops);
        } finally {
          for (const s of stores) await s.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a merge of two users active in the same bulk writes combines their chunks per write: the reader still gets seq order', async () => {
    const store = new SqliteStore({ path: ':memory:', userIndexEvery: 4 });
    await store.init();
    const db = (store as unknown as { db: Database.Database }).db;
    try {
      // three bulk writes of 4 events, x and y alternating, then two in the tail
      for (let w = 0; w < 3; w++) await store.appendEvents([0, 1, 2, 3].map((k) => ({ type: 'view', userId: k % 2 ? 'y' : 'x', itemId: `w${w}-${k}`, timestamp: k })));
      await store.appendEvents([{ type: 'view', userId: 'x', itemId: 't0', timestamp: 9 }, { type: 'view', userId: 'y', itemId: 't1', timestamp: 9 }]);
      expect(db.prepare("SELECT count(*) AS n FROM events_by_user WHERE user_id = 'x'").get()).toEqual({ n: 3 });
      expect(await store.mergeUsers('y', 'x')).toEqual({ movedEvents: 7 });
      expect(db.prepare('SELECT user_id, first_seq, seqs FROM events_by_user ORDER BY first_seq').all()).toEqual([
        { user_id: 'x', first_seq: 1, seqs: '[1,2,3,4]' },
        { user_id: 'x', first_seq: 5, seqs: '[5,6,7,8]' },
        { user_id: 'x', first_seq: 9, seqs: '[9,10,11,12]' },
      ]);
      expect((await store.userEvents('x', { limit: 6 })).map((e) => e.seq)).toEqual([9, 10, 11, 12, 13, 14]);
      expect((await store.userEvents('x')).map((e) => e.seq)).toEqual(Array.from({ length: 14 }, (_, k) => k + 1));
    } finally {
      await store.close();
    }
  });

  it("a merge leaves the target's chunks that cannot overlap alone, and combines only those that do", async () => {
    const store = new SqliteStore({ path: ':memory:', userIndexEvery: 3 });
    await store.init();
    const db = (store as unknown as { db: Database.Database }).db;
    try {
      const append = (users: string[]) => store.appendEvents(users.map((userId, k) => ({ type: 'view', userId, itemId: `${userId}${k}`, timestamp: k })));
      await append(['known', 'known', 'known']); // 1-3
      await append(['known', 'anon', 'known']); // 4-6
      await append(['known', 'known', 'known']); // 7-9
      const before = db.prepare("SELECT first_seq, seqs FROM events_by_user WHERE user_id = 'known' ORDER BY first_seq").all();
      expect(before).toEqual([
        { first_seq: 1, seqs: '[1,2,3]' },
        { first_seq: 4, seqs: '[4,6]' },
        { first_seq: 7, seqs: '[7,8,9]' },
      ]);
      await store.mergeUsers('anon', 'known');
      expect(db.prepare("SELECT first_seq, seqs FROM events_by_user WHERE user_id = 'known' ORDER BY first_seq").all()).toEqual([
        { first_seq: 1, seqs: '[1,2,3]' },
        { first_seq: 4, seqs: '[4,5,6]' },
        { first_seq: 7, seqs: '[7,8,9]' },
      ]);
      expect(db.prepare("SELECT count(*) AS n FROM events_by_user WHERE user_id = 'anon'").get()).toEqual({ n: 0 });
    } finally {
      await store.close();
    }
  });

  it('rejects userIndexEvery with the writer thread (which uses the default) and values that are no positive integer', async () => {
    expect(() => new SqliteStore({ path: '/tmp/never-opened.sqlite', writer: 'thread', userIndexEvery: 4 })).toThrow(/inline/);
    await expect(new SqliteStore({ path: ':memory:', userIndexEvery: 0 }).init()).rejects.toThrow(/positive integer/);
  });
});

describe('disjointChunks', () => {
  it('turns chunks of disjoint seq sets into ascending chunks with disjoint ranges holding every seq once, merging only overlapping ones', () => {
    fc.assert(
      fc.property(
        // disjoint seq sets: a shuffled set of seqs dealt into chunks
        fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { maxLength: 60 }).chain((seqs) =>
          fc.tuple(fc.constant(seqs), fc.array(fc.nat(5), { minLength: seqs.length, maxLength: seqs.length })),
        ),
        ([seqs, owner]) => {
          const input: number[][] = [[], [], [], [], [], []];
          seqs.forEach((q, i) => input[owner[i]!]!.push(q));
          for (const c of input) c.sort((a, b) => a - b);
          const out = disjointChunks(input);
          expect(out.flat()).toEqual([...seqs].sort((a, b) => a - b));
          for (const c of out) expect(c.length).toBeGreaterThan(0);
          for (let i = 1; i < out.length; i++) expect(out[i]![0]!).toBeGreaterThan(out[i - 1]!.at(-1)!);
          // nothing merged needlessly: each output chunk is one input chunk or a run of overlapping ones
          const nonEmpty = input.filter((c) => c.length > 0);
          for (const c of out) {
            const parts = nonEmpty.filter((p) => p[0]! >= c[0]! && p.at(-1)! <= c.at(-1)!);
            if (parts.length > 1) {
              parts.sort((x, y) => x[0]! - y[0]!);
              let end = parts[0]!.at(-1)!;
              for (const p of parts.slice(1)) {
                expect(p[0]!).toBeLessThan(end);
                end = Math.max(end, p.at(-1)!);
              }
            }
          }
        },
      ),
    );
  });
});
