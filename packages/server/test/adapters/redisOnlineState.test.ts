import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { RedisOnlineState, type RedisOnlineStateOptions } from '../../src/adapters/redis/redisOnlineState.ts';
import type { OnlineState } from '../../src/ports/onlineState.ts';
import { onlineStateConformance } from '../conformance/onlineStateConformance.ts';

/**
 * Runs the OnlineState conformance suite against a real Redis (REDIS_URL). Each state gets a
 * key prefix unique to this run and is wiped (SCAN + DEL of its prefix) afterwards.
 */
const url = process.env.REDIS_URL;
const run = `attune-test:${process.pid}:${randomBytes(3).toString('hex')}`;
let n = 0;

function fresh(opts: Partial<RedisOnlineStateOptions> = {}): RedisOnlineState {
  return new RedisOnlineState({ url: url!, prefix: `${run}:${n++}:`, ...opts });
}

async function wipe(state: OnlineState): Promise<void> {
  const s = state as RedisOnlineState;
  const client = new Redis(url!);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${s.keys.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    await client.quit();
    await s.close();
  }
}

describe.skipIf(!url)('RedisOnlineState', () => {
  onlineStateConformance({
    name: 'RedisOnlineState',
    create: async (limits) => fresh(limits),
    dispose: wipe,
  });

  const ev = (userId: string, itemId: string, timestamp: number, seq?: number) => ({ userId, itemId, type: 'view', timestamp, ...(seq === undefined ? {} : { seq }) });

  it('records a store event once even when it is delivered twice (bus redelivery)', async () => {
    const s = fresh({ trendingHalfLifeMs: 1000 });
    try {
      await s.recordEvents([ev('u', 'a', 1000, 7), ev('u', 'b', 2000, 8)]);
      const before = await s.getUser('u');
      await s.recordEvents([ev('u', 'a', 1000, 7)]);
      expect(await s.getUser('u')).toEqual(before);
      expect(await s.trending(10, 2000)).toEqual([
        { itemId: 'b', score: 1 },
        { itemId: 'a', score: 0.5 },
      ]);
      // without a seq there is no identity: both are kept
      await s.recordEvents([ev('u', 'c', 3000), ev('u', 'c', 3000)]);
      expect((await s.getUser('u')).history.map((e) => e.itemId)).toEqual(['a', 'b', 'c', 'c']);
    } finally {
      await wipe(s);
    }
  });

  it("expires a user's keys after the idle TTL and impressions after the attribution TTL", async () => {
    const s = fresh({ userTtlSeconds: 600, attributionTtlSeconds: 60 });
    const probe = new Redis(url!);
    try {
      await s.recordEvents([ev('u', 'a', 1)]);
      await s.recordImpressions([{ recommendationId: 'r', userId: 'u', itemIds: ['x'], timestamp: 2, surface: 'user' }]);
      for (const key of [s.keys.history('u'), s.keys.revision('u'), s.keys.impressions('u')]) {
        const ttl = await probe.ttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(600);
      }
      const recTtl = await probe.ttl(s.keys.recommendation('r'));
      expect(recTtl).toBeGreaterThan(0);
      expect(recTtl).toBeLessThanOrEqual(60);
    } finally {
      await probe.quit();
      await wipe(s);
    }
  });

  it('keeps deployments apart by prefix, and user ids may contain the separator', async () => {
    const a = fresh();
    const b = fresh();
    try {
      await a.recordEvents([ev('x:h', 'i', 1, 1), ev('x', 'j', 2, 2)]);
      await a.incrementCounters({ n: 1 });
      expect((await b.getUser('x:h')).history).toEqual([]);
      expect(await b.counters()).toEqual({});
      expect((await a.getUser('x:h')).history.map((e) => e.itemId)).toEqual(['i']);
      await a.trimBefore(1);
      expect((await a.getUser('x:h')).history).toEqual([]);
      expect((await a.getUser('x')).history.map((e) => e.itemId)).toEqual(['j']);
    } finally {
      await wipe(a);
      await wipe(b);
    }
  });

  it('trims every user, across several SCAN pages', async () => {
    const s = fresh();
    try {
      const events = Array.from({ length: 1200 }, (_, i) => ev(`user-${i}`, 'a', 1, i + 1));
      await s.recordEvents(events);
      await s.trimBefore(600);
      expect((await s.getUser('user-0')).history).toEqual([]);
      expect((await s.getUser('user-599')).history).toEqual([]);
      expect((await s.getUser('user-600')).history.map((e) => e.seq)).toEqual([601]);
      expect((await s.getUser('user-1199')).history.map((e) => e.seq)).toEqual([1200]);
    } finally {
      await wipe(s);
    }
  });
});
