import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createBus, createOnlineState, createStore } from '../../src/adapters/factory.ts';
import { MemoryBus } from '../../src/adapters/memory/memoryBus.ts';
import { MemoryOnlineState } from '../../src/adapters/memory/onlineState.ts';
import { NatsBus } from '../../src/adapters/nats/natsBus.ts';
import { PostgresStore } from '../../src/adapters/postgres/postgresStore.ts';
import { RedisOnlineState } from '../../src/adapters/redis/redisOnlineState.ts';
import { SqliteStore } from '../../src/adapters/sqlite/sqliteStore.ts';

/** Each configuration yields the right adapter, opened and usable. */
const tag = `attune_f_${process.pid}_${randomBytes(3).toString('hex')}`;

describe('adapter factory (embedded)', () => {
  it('sqlite store, memory bus, memory online state', async () => {
    const store = await createStore({ kind: 'sqlite', path: ':memory:' });
    expect(store).toBeInstanceOf(SqliteStore);
    expect(await store.countEvents()).toBe(0);
    await store.close();
    const bus = await createBus({ kind: 'memory' });
    expect(bus).toBeInstanceOf(MemoryBus);
    await bus.close();
    const { online, close } = await createOnlineState({ kind: 'memory', maxHistory: 2 });
    expect(online).toBeInstanceOf(MemoryOnlineState);
    await close();
  });
});

describe.skipIf(!process.env.PG_URL)('adapter factory: postgres', () => {
  it('opens a migrated PostgresStore in the configured schema', async () => {
    const url = process.env.PG_URL!;
    const store = await createStore({ kind: 'postgres', url, schema: tag, poolSize: 2 });
    try {
      expect(store).toBeInstanceOf(PostgresStore);
      expect(await store.countItems()).toBe(0);
    } finally {
      await store.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${tag}" CASCADE`);
      await c.end();
    }
  });
});

describe.skipIf(!process.env.NATS_URL)('adapter factory: nats', () => {
  it('connects a NatsBus on the configured prefix', async () => {
    const bus = await createBus({ kind: 'nats', url: process.env.NATS_URL!, prefix: tag });
    expect(bus).toBeInstanceOf(NatsBus);
    const jsm = await import('@nats-io/jetstream');
    await bus.close();
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: process.env.NATS_URL! });
    await (await jsm.jetstreamManager(nc)).streams.delete(tag);
    await nc.close();
  });
});

describe.skipIf(!process.env.REDIS_URL)('adapter factory: redis', () => {
  it('opens a RedisOnlineState under the configured prefix', async () => {
    const { online, close } = await createOnlineState({ kind: 'redis', url: process.env.REDIS_URL!, prefix: `${tag}:` });
    try {
      expect(online).toBeInstanceOf(RedisOnlineState);
      expect((await online.getUser('nobody')).revision).toBe(0);
    } finally {
      await close();
    }
  });
});
