import type { UserEventRecord } from '@attune/engine';
import { Redis } from 'ioredis';
import type { Impression, OnlineEvent, OnlineState, UserOnlineState } from '../../ports/onlineState.ts';
import { ORDER_KEY_LENGTH, OnlineKeys, seqOrderKey } from './keys.ts';
import { defineScripts } from './scripts.ts';

export interface RedisOnlineStateOptions {
  /** redis://host:port/db; ignored when `client` is given */
  url?: string;
  /** an existing connection (not closed by close()) */
  client?: Redis;
  /** every key starts with it: one prefix per deployment. Default 'attune:' */
  prefix?: string;
  /** recent events kept per user (default 200, as the memory adapter) */
  maxHistory?: number;
  /** recent impressions kept per user (default 100) */
  maxImpressions?: number;
  /** half-life of the trending scores (default 24 h) */
  trendingHalfLifeMs?: number;
  /**
   * a user's keys expire after this long without a new event or impression (default 7 days).
   * Replaces the memory adapter's global LRU budget: Redis bounds memory per key, and an
   * eviction policy (maxmemory + volatile-lru) can shed idle users early.
   */
  userTtlSeconds?: number;
  /** how long an impression stays available for attribution (default 1 day) */
  attributionTtlSeconds?: number;
}

/** JSON array stored after the order key: [itemId, type, value | null, recommendationId | null] */
type Payload = [string, string, number | null, string | null];

/**
 * OnlineState shared by every replica through Redis. Per user: a history sorted set (scored by
 * timestamp, capped), an impressions sorted set (capped) and a revision, all with an idle TTL.
 * Globally: trending scores, named counters, impressions by recommendation id (with a TTL).
 * Multi-user batches go out as one pipeline of per-user Lua scripts (see scripts.ts).
 *
 * Differences from the memory adapter, by design: bounds are per-user caps plus idle TTLs
 * instead of a global LRU budget; a store event (with seq) recorded twice is stored once, so a
 * bus redelivery does not double history or trending; items colder than 2^-60 of the newest
 * event leave the trending set.
 */
export class RedisOnlineState implements OnlineState {
  readonly keys: OnlineKeys;
  private readonly client: Redis;
  private readonly ownsClient: boolean;
  private readonly maxHistory: number;
  private readonly maxImpressions: number;
  private readonly halfLife: number;
  private readonly userTtl: number;
  private readonly attributionTtl: number;

  constructor(opts: RedisOnlineStateOptions) {
    if (opts.client) {
      this.client = opts.client;
      this.ownsClient = false;
    } else {
      if (!opts.url) throw new Error('RedisOnlineState needs a url or a client');
      this.client = new Redis(opts.url);
      this.ownsClient = true;
    }
    defineScripts(this.client);
    this.keys = new OnlineKeys(opts.prefix ?? 'attune:');
    this.maxHistory = opts.maxHistory ?? 200;
    this.maxImpressions = opts.maxImpressions ?? 100;
    this.halfLife = opts.trendingHalfLifeMs ?? 24 * 3_600_000;
    this.userTtl = opts.userTtlSeconds ?? 7 * 86_400;
    this.attributionTtl = opts.attributionTtlSeconds ?? 86_400;
  }

  /** Not part of the port (which has no lifecycle): the server should call it on shutdown. */
  async close(): Promise<void> {
    if (this.ownsClient && this.client.status !== 'end') await this.client.quit();
  }

  async recordEvents(events: readonly OnlineEvent[]): Promise<void> {
    if (events.length === 0) return;
    const byUser = groupBy(events, (e) => e.userId);
    const k = this.keys;
    const p = this.client.pipeline();
    for (const [userId, list] of byUser) {
      const args: Array<string | number> = [this.maxHistory, this.userTtl, this.halfLife];
      for (const e of list) {
        const payload: Payload = [e.itemId, e.type, e.value ?? null, e.recommendationId ?? null];
        args.push(e.timestamp, e.seq === undefined ? '' : seqOrderKey(e.seq), e.itemId, JSON.stringify(payload));
      }
      p.attuneRecordEvents(k.history(userId), k.revision(userId), k.sequence, k.trending, k.trendingOrigin, ...args);
    }
    await execOrThrow(p);
  }

  async getUser(userId: string): Promise<UserOnlineState> {
    const k = this.keys;
    const [history, impressions, revision] = await execOrThrow(
      this.client
        .pipeline()
        .zrange(k.history(userId), 0, '-1', 'WITHSCORES')
        .zrange(k.impressions(userId), 0, '-1', 'WITHSCORES')
        .get(k.revision(userId)),
    );
    return {
      history: pairs(history as string[]).map(([member, score]) => historyRecord(member, Number(score))),
      impressions: pairs(impressions as string[]).map(([member, score]) => ({ itemId: member.slice(member.indexOf('|') + 1), timestamp: Number(score) })),
      revision: revision === null ? 0 : Number(revision),
    };
  }

  async recordImpressions(impressions: readonly Impression[]): Promise<void> {
    if (impressions.length === 0) return;
    const k = this.keys;
    const p = this.client.pipeline();
    for (const imp of impressions) {
      p.set(k.recommendation(imp.recommendationId), JSON.stringify(imp), 'EX', this.attributionTtl);
      if (imp.userId === undefined) continue;
      // the set outlives no impression in it: it expires with the newest
      p.sadd(k.shown(imp.userId), imp.recommendationId);
      p.expire(k.shown(imp.userId), this.attributionTtl);
      if (imp.itemIds.length === 0) continue;
      p.attuneRecordImpressions(k.impressions(imp.userId), k.sequence, this.maxImpressions, this.userTtl, imp.timestamp, ...imp.itemIds);
    }
    await execOrThrow(p);
  }

  async getImpression(recommendationId: string): Promise<Impression | undefined> {
    const json = await this.client.get(this.keys.recommendation(recommendationId));
    return json === null ? undefined : (JSON.parse(json) as Impression);
  }

  async trending(limit: number, now: number): Promise<Array<{ itemId: string; score: number }>> {
    const n = Math.floor(limit);
    if (n <= 0) return [];
    const k = this.keys;
    // one more than asked shows whether equal scores continue past the page
    const [origin, top] = await execOrThrow(this.client.pipeline().get(k.trendingOrigin).zrevrange(k.trending, 0, n, 'WITHSCORES'));
    if (origin === null) return [];
    let entries = pairs(top as string[]).map(([itemId, s]) => ({ itemId, s: Number(s) }));
    if (entries.length > n && entries[n]!.s === entries[n - 1]!.s) {
      // a tie across the page boundary: fetch every item with the boundary score so ties are
      // broken by item id, as the memory adapter does, rather than by Redis's member order
      const boundary = entries[n - 1]!.s;
      const tied = await this.client.zrangebyscore(k.trending, boundary, boundary);
      entries = [...entries.filter((e) => e.s > boundary), ...tied.map((itemId) => ({ itemId, s: boundary }))];
    }
    entries.sort((a, b) => b.s - a.s || (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
    const shift = (Number(origin) - now) / this.halfLife;
    return entries.slice(0, n).map((e) => ({ itemId: e.itemId, score: Math.pow(2, e.s + shift) }));
  }

  async incrementCounters(deltas: Readonly<Record<string, number>>): Promise<void> {
    const entries = Object.entries(deltas);
    if (entries.length === 0) return;
    const p = this.client.pipeline();
    for (const [name, delta] of entries) p.hincrbyfloat(this.keys.counters, name, delta);
    await execOrThrow(p);
  }

  async counters(): Promise<Record<string, number>> {
    const all = await this.client.hgetall(this.keys.counters);
    return Object.fromEntries(Object.entries(all).map(([name, v]) => [name, Number(v)]));
  }

  async deleteUser(userId: string): Promise<void> {
    const k = this.keys;
    // the impressions shown to them too: GET /v1/recommendations/{id} falls back to these
    const shown = await this.client.smembers(k.shown(userId));
    await this.client.del(k.history(userId), k.impressions(userId), k.revision(userId), k.shown(userId), ...shown.map((id) => k.recommendation(id)));
  }

  async mergeUsers(from: string, into: string): Promise<void> {
    if (from === into) return;
    const k = this.keys;
    // the lists shown to `from` go with its history: erasing `into` later reaches them
    await execOrThrow(this.client.pipeline().sunionstore(k.shown(into), k.shown(into), k.shown(from)).expire(k.shown(into), this.attributionTtl).del(k.shown(from)));
    await this.client.attuneMergeUsers(
      k.history(from),
      k.impressions(from),
      k.revision(from),
      k.history(into),
      k.impressions(into),
      k.revision(into),
      k.sequence,
      this.maxHistory,
      this.maxImpressions,
      this.userTtl,
    );
  }

  /** Walks every user's history with SCAN (it runs once per model promotion, not per request). */
  async trimBefore(seq: number): Promise<void> {
    const k = this.keys;
    let cursor = '0';
    do {
      const [next, found] = await this.client.scan(cursor, 'MATCH', k.historyPattern, 'COUNT', 500);
      cursor = next;
      if (found.length === 0) continue;
      const p = this.client.pipeline();
      for (const key of found) {
        const userId = k.userOfHistoryKey(key);
        p.attuneTrimHistory(key, k.impressions(userId), k.revision(userId), k.sequence, seq);
      }
      await execOrThrow(p);
    } while (cursor !== '0');
  }
}

function historyRecord(member: string, timestamp: number): UserEventRecord & { seq?: number } {
  const [itemId, type, value, recommendationId] = JSON.parse(member.slice(ORDER_KEY_LENGTH + 1)) as Payload;
  const rec: UserEventRecord & { seq?: number } = { itemId, type, timestamp };
  if (value !== null) rec.value = value;
  if (recommendationId !== null) rec.recommendationId = recommendationId;
  if (member[ORDER_KEY_LENGTH - 1] === 's') rec.seq = Number(member.slice(0, ORDER_KEY_LENGTH - 1));
  return rec;
}

/** [a, 1, b, 2] (a WITHSCORES reply) → [[a, 1], [b, 2]] */
function pairs(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of list) {
    const k = key(t);
    let group = out.get(k);
    if (!group) out.set(k, (group = []));
    group.push(t);
  }
  return out;
}

/** Runs a pipeline; the first failed command rejects (ioredis otherwise reports errors per command). */
async function execOrThrow(p: { exec(): Promise<Array<[Error | null, unknown]> | null> }): Promise<unknown[]> {
  const results = await p.exec();
  if (results === null) throw new Error('Redis pipeline was discarded');
  return results.map(([err, value]) => {
    if (err) throw err;
    return value;
  });
}
