import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The real services a scale-out test runs on, named by the test's environment. */
export interface ScaleOutServices {
  pgUrl: string;
  natsUrl: string;
  redisUrl: string;
}

/**
 * Removes what one scale-out run left on the shared services: its PostgreSQL schema, its NATS
 * stream and its Redis keys, all named by the run's unique tag. SCAN, not KEYS, so a shared
 * Redis is never blocked.
 */
export async function dropScaleOutRun(services: ScaleOutServices, tag: string): Promise<void> {
  const c = new pg.Client({ connectionString: services.pgUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS "${tag}" CASCADE`);
  await c.end();
  const nc = await connect({ servers: services.natsUrl });
  await (await jetstreamManager(nc)).streams.delete(tag).catch(() => {});
  await nc.close();
  const redis = new Redis(services.redisUrl);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${tag}:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}
