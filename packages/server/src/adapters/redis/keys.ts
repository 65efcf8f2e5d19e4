/**
 * The Redis key layout under one deployment prefix. Per-user keys start with a one-letter kind
 * so a user id may contain any character (':' included) without two kinds colliding, and
 * trimBefore can SCAN one kind.
 */
export class OnlineKeys {
  constructor(readonly prefix: string) {}

  /** recent events: a sorted set scored by timestamp */
  history(userId: string): string {
    return `${this.prefix}h:${userId}`;
  }
  /** recently shown items: a sorted set scored by timestamp */
  impressions(userId: string): string {
    return `${this.prefix}i:${userId}`;
  }
  /** the user's history revision */
  revision(userId: string): string {
    return `${this.prefix}r:${userId}`;
  }
  /** the ids of the impressions shown to a user (a set), so that erasing the user reaches them */
  shown(userId: string): string {
    return `${this.prefix}s:${userId}`;
  }
  /** one impression as JSON, for attribution */
  recommendation(recommendationId: string): string {
    return `${this.prefix}rec:${recommendationId}`;
  }
  /** a global counter: revisions and the arrival order of entries with equal timestamps */
  get sequence(): string {
    return `${this.prefix}g:seq`;
  }
  /** the reference time of the trending scores */
  get trendingOrigin(): string {
    return `${this.prefix}g:t0`;
  }
  /** item → log2 of decayed activity at the reference time */
  get trending(): string {
    return `${this.prefix}g:trending`;
  }
  get counters(): string {
    return `${this.prefix}g:counters`;
  }

  /** SCAN pattern of every history key (glob characters in the prefix escaped) */
  get historyPattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}h:*`;
  }
  userOfHistoryKey(key: string): string {
    return key.slice(this.prefix.length + 2);
  }
}

/**
 * History members are `<order key>|<payload>`. The order key breaks timestamp ties (a sorted
 * set orders equal scores by member) and makes a redelivered event idempotent: a store event
 * is keyed by its seq (16 digits + 's'), so recording it twice adds nothing; an event without
 * seq gets a fresh counter value (16 digits + 'n').
 */
export const ORDER_KEY_LENGTH = 17;

export function seqOrderKey(seq: number): string {
  return `${String(seq).padStart(16, '0')}s`;
}
