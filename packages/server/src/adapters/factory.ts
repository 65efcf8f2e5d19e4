import type { Bus, BusTopic } from '../ports/bus.ts';
import type { OnlineState } from '../ports/onlineState.ts';
import type { Store } from '../ports/store.ts';

/**
 * Picks the adapter for each port from configuration. Each adapter module is imported only
 * when selected, so an embedded (SQLite, in-memory) deployment never loads pg, ioredis or the
 * NATS client, and a PostgreSQL one never loads the better-sqlite3 native module.
 */

export type StoreConfig =
  /** writer: see SqliteStoreOptions.writer ('inline' for a command that only reads: no threads to start) */
  | { kind: 'sqlite'; path: string; synchronous?: 'normal' | 'full'; writer?: 'thread' | 'inline' }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

export type BusConfig =
  | { kind: 'memory' }
  /** `group` for worker roles (durable, shared consumers); absent on API nodes (fan-out). See NatsBus. */
  | { kind: 'nats'; url: string; prefix?: string; group?: string; maxAgeMs?: number };

export interface OnlineLimits {
  maxHistory?: number;
  maxImpressions?: number;
  trendingHalfLifeMs?: number;
}

export type OnlineStateConfig =
  | ({ kind: 'memory'; maxEvents?: number; maxUsers?: number; maxAttribution?: number } & OnlineLimits)
  | ({ kind: 'redis'; url: string; prefix?: string; userTtlSeconds?: number; attributionTtlSeconds?: number } & OnlineLimits);

/** Opens the store: it is init()ed (tables created / migrated) when the promise resolves. */
export async function createStore(config: StoreConfig): Promise<Store> {
  let store: Store;
  if (config.kind === 'sqlite') {
    const { SqliteStore } = await import('./sqlite/sqliteStore.ts');
    store = new SqliteStore({ path: config.path, synchronous: config.synchronous, ...(config.writer ? { writer: config.writer } : {}) });
  } else {
    const { PostgresStore } = await import('./postgres/postgresStore.ts');
    store = new PostgresStore({ url: config.url, schema: config.schema, poolSize: config.poolSize });
  }
  await store.init();
  return store;
}

/** Connects the bus; subscriber failures go to `onError` (log them), never to publishers. */
export async function createBus(config: BusConfig, onError: (err: unknown, topic: BusTopic) => void = () => {}): Promise<Bus> {
  if (config.kind === 'memory') {
    const { MemoryBus } = await import('./memory/memoryBus.ts');
    return new MemoryBus(onError);
  }
  const { NatsBus } = await import('./nats/natsBus.ts');
  return NatsBus.connect({ url: config.url, prefix: config.prefix, group: config.group, maxAgeMs: config.maxAgeMs, onError });
}

/** The OnlineState port has no lifecycle; `close` releases what the adapter holds (a Redis connection). */
export interface OpenedOnlineState {
  online: OnlineState;
  close(): Promise<void>;
}

export async function createOnlineState(config: OnlineStateConfig): Promise<OpenedOnlineState> {
  if (config.kind === 'memory') {
    const { MemoryOnlineState } = await import('./memory/onlineState.ts');
    const { kind: _kind, ...opts } = config;
    return { online: new MemoryOnlineState(opts), close: async () => {} };
  }
  const { RedisOnlineState } = await import('./redis/redisOnlineState.ts');
  const { kind: _kind, ...opts } = config;
  const online = new RedisOnlineState(opts);
  return { online, close: () => online.close() };
}
