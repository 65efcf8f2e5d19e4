import type { Redis, Result } from 'ioredis';

/**
 * Lua scripts: each per-user change is one atomic script call, so replicas writing the same
 * user never interleave half-updates, and a batch over many users is one pipeline round trip.
 * Numbers going back to Redis are formatted with %.17g: Lua's default (%.14g) would round
 * scores. The scripts touch global keys (sequence, trending) next to per-user ones, so they
 * need a standalone Redis (or Sentinel), not Redis Cluster.
 */

/**
 * KEYS: history, revision, sequence, trending, trendingOrigin
 * ARGV: maxHistory, ttlSeconds, halfLifeMs, then per event: timestamp, orderKey ('' = none), itemId, payload
 * Returns how many events were new.
 */
const RECORD_EVENTS = `
local maxHistory, ttl, halfLife = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local origin = redis.call('GET', KEYS[5])
if not origin then
  -- no reference time: any trending scores left are meaningless, start over
  origin = ARGV[4]
  redis.call('SET', KEYS[5], origin)
  redis.call('DEL', KEYS[4])
end
origin = tonumber(origin)
local ln2 = math.log(2)
local added, newest = 0, nil
for i = 4, #ARGV, 4 do
  local ts = tonumber(ARGV[i])
  local key = ARGV[i + 1]
  if key == '' then key = string.format('%016dn', redis.call('INCR', KEYS[3])) end
  if redis.call('ZADD', KEYS[1], 'NX', ARGV[i], key .. '|' .. ARGV[i + 3]) == 1 then
    added = added + 1
    -- trending in log2 space: log2(2^a + 2^b) without overflow, no rebasing ever needed
    local x = (ts - origin) / halfLife
    local cur = redis.call('ZSCORE', KEYS[4], ARGV[i + 2])
    if cur then
      local c = tonumber(cur)
      local hi, lo = math.max(c, x), math.min(c, x)
      x = hi + math.log(1 + 2 ^ (lo - hi)) / ln2
    end
    redis.call('ZADD', KEYS[4], string.format('%.17g', x), ARGV[i + 2])
    if not newest or x > newest then newest = x end
  end
end
if added > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(maxHistory + 1))
  redis.call('EXPIRE', KEYS[1], ttl)
  redis.call('SET', KEYS[2], redis.call('INCR', KEYS[3]), 'EX', ttl)
  -- items colder than 2^-60 of the newest event can never matter again: keeps the set bounded
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. string.format('%.17g', newest - 60))
end
return added
`;

/**
 * KEYS: impressions, sequence
 * ARGV: maxImpressions, ttlSeconds, timestamp, itemIds…
 */
const RECORD_IMPRESSIONS = `
local n = #ARGV - 3
if n <= 0 then return 0 end
local last = redis.call('INCRBY', KEYS[2], n)
for i = 4, #ARGV do
  redis.call('ZADD', KEYS[1], ARGV[3], string.format('%016d', last - n + i - 3) .. '|' .. ARGV[i])
end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[1]) + 1))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return n
`;

/**
 * KEYS: fromHistory, fromImpressions, fromRevision, intoHistory, intoImpressions, intoRevision, sequence
 * ARGV: maxHistory, maxImpressions, ttlSeconds
 */
const MERGE_USERS = `
local hasHistory = redis.call('EXISTS', KEYS[1]) == 1
local hasImpressions = redis.call('EXISTS', KEYS[2]) == 1
if not hasHistory and not hasImpressions then return 0 end
local ttl = tonumber(ARGV[3])
if hasHistory then
  redis.call('ZUNIONSTORE', KEYS[4], 2, KEYS[4], KEYS[1], 'AGGREGATE', 'MAX')
  redis.call('ZREMRANGEBYRANK', KEYS[4], 0, -(tonumber(ARGV[1]) + 1))
  redis.call('EXPIRE', KEYS[4], ttl)
end
if hasImpressions then
  redis.call('ZUNIONSTORE', KEYS[5], 2, KEYS[5], KEYS[2], 'AGGREGATE', 'MAX')
  redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(tonumber(ARGV[2]) + 1))
  redis.call('EXPIRE', KEYS[5], ttl)
end
redis.call('SET', KEYS[6], redis.call('INCR', KEYS[7]), 'EX', ttl)
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
return 1
`;

/**
 * KEYS: history, impressions, revision, sequence (not read: a trim keeps the user's revision)
 * ARGV: cut (drop store events with seq <= cut)
 */
const TRIM_HISTORY = `
local cut = tonumber(ARGV[1])
local removed = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 17, 17) == 's' and tonumber(string.sub(m, 1, 16)) <= cut then
    redis.call('ZREM', KEYS[1], m)
    removed = removed + 1
  end
end
if removed == 0 then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
end
return removed
`;

type Arg = string | number;

// ioredis adds defineCommand()'d scripts as methods; declaration merging types them
declare module 'ioredis' {
  interface RedisCommander<Context> {
    attuneRecordEvents(...args: Arg[]): Result<number, Context>;
    attuneRecordImpressions(...args: Arg[]): Result<number, Context>;
    attuneMergeUsers(...args: Arg[]): Result<number, Context>;
    attuneTrimHistory(...args: Arg[]): Result<number, Context>;
  }
}

/** Registers the scripts on a client (EVALSHA, loaded on first use, also inside pipelines). */
export function defineScripts(client: Redis): void {
  client.defineCommand('attuneRecordEvents', { numberOfKeys: 5, lua: RECORD_EVENTS });
  client.defineCommand('attuneRecordImpressions', { numberOfKeys: 2, lua: RECORD_IMPRESSIONS });
  client.defineCommand('attuneMergeUsers', { numberOfKeys: 7, lua: MERGE_USERS });
  client.defineCommand('attuneTrimHistory', { numberOfKeys: 4, lua: TRIM_HISTORY });
}
