import { join } from 'node:path';
import type { AttuneConfig } from '../config/schema.ts';
import type { BusConfig, OnlineStateConfig, StoreConfig } from './factory.ts';

/**
 * Maps the validated configuration onto the adapter factory's inputs. deploymentIssues()
 * guarantees the URLs of the selected kinds are present; the checks here only narrow types.
 */

/** The SQLite file inside a data directory. */
export function databasePath(dataDir: string): string {
  return join(dataDir, 'attune.db');
}

export function storeConfigOf(config: AttuneConfig): StoreConfig {
  if (config.store.kind === 'sqlite') return { kind: 'sqlite', path: databasePath(config.dataDir), synchronous: config.store.synchronous };
  const pg = config.store.postgres;
  return { kind: 'postgres', url: required(pg.url, 'store.postgres.url'), schema: pg.schema, poolSize: pg.poolSize };
}

/**
 * Only the worker role joins the durable group (each message handled once per deployment: the
 * trainer's event count, shared counters). API and 'all' nodes fan out: every node must see
 * every message to keep its own caches current.
 */
export function busConfigOf(config: AttuneConfig): BusConfig {
  if (config.bus.kind === 'memory') return { kind: 'memory' };
  const n = config.bus.nats;
  const bus: BusConfig = { kind: 'nats', url: required(n.url, 'bus.nats.url'), prefix: n.prefix, maxAgeMs: n.maxAgeMs };
  if (config.role === 'worker') bus.group = n.group;
  return bus;
}

export function onlineConfigOf(config: AttuneConfig): OnlineStateConfig {
  const o = config.online;
  const limits = { maxHistory: o.maxHistory, maxImpressions: o.maxImpressions, trendingHalfLifeMs: o.trendingHalfLifeMs };
  if (o.kind === 'memory') return { kind: 'memory', ...limits };
  const r = o.redis;
  return { kind: 'redis', url: required(r.url, 'online.redis.url'), prefix: r.prefix, userTtlSeconds: r.userTtlSeconds, attributionTtlSeconds: r.attributionTtlSeconds, ...limits };
}

function required(value: string | undefined, key: string): string {
  if (!value) throw new Error(`${key} is not set`);
  return value;
}
