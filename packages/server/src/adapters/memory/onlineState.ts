import type { UserEventRecord } from '@attune/engine';
import type { Impression, OnlineEvent, OnlineState, UserOnlineState } from '../../ports/onlineState.ts';
import { RecencyMap } from './recencyMap.ts';
import { ImpressionRing } from './impressionRing.ts';
import { RecentImpressions } from './recentImpressions.ts';

export interface MemoryOnlineStateOptions {
  /** recent events kept per user (older ones live on in the Store and the next model) */
  maxHistory?: number;
  /** recent impressions kept per user */
  maxImpressions?: number;
  /** impressions kept for attribution lookups, oldest dropped first */
  maxAttribution?: number;
  /** half-life of the trending counters */
  trendingHalfLifeMs?: number;
  /**
   * recent events kept over all users; past it the least recently active users are forgotten
   * first (their events stay in the Store and reach them again through the next model)
   */
  maxEvents?: number;
  /**
   * users kept (default 500,000); past it the least recently active are forgotten first. The
   * event budget alone never evicted visitors who were only shown lists and never sent an
   * event, so a site with many anonymous visitors grew without bound.
   */
  maxUsers?: number;
}

/** the impressions of a user never shown anything: shared, so frozen */
const NOTHING_SHOWN: Array<{ itemId: string; timestamp: number }> = Object.freeze([]) as unknown as Array<{ itemId: string; timestamp: number }>;

/**
 * A user's state, handed out as their UserOnlineState. `impressions` is an own enumerable
 * accessor, so a slot compares and spreads like the plain object the port describes, and its
 * view is built only when read (see RecentImpressions); the buffer itself is a private field,
 * outside that shape, made at the user's first impression (most users with events have none).
 */
class UserSlot implements UserOnlineState {
  history: Array<UserEventRecord & { seq?: number }> = [];
  revision = 0;
  declare readonly impressions: Array<{ itemId: string; timestamp: number }>;
  #shown: RecentImpressions | undefined = undefined;

  /** @param userId the id the slot was made for: one string per user, however many requests name it */
  constructor(readonly userId: string) {
    // one getter function for every slot: the slots share one hidden class
    Object.defineProperty(this, 'impressions', { get: UserSlot.impressionsOf, enumerable: true });
  }

  private static impressionsOf(this: UserSlot): Array<{ itemId: string; timestamp: number }> {
    // the port's type is a mutable array; like the live array this replaced, readers never change it
    return this.#shown ? (this.#shown.items() as Array<{ itemId: string; timestamp: number }>) : NOTHING_SHOWN;
  }

  /** the user's impression buffer, made on first use with room for `max` items */
  shown(max: number): RecentImpressions {
    return (this.#shown ??= new RecentImpressions(max));
  }

  /** number of impressions held */
  get shownCount(): number {
    return this.#shown ? this.#shown.size : 0;
  }
}

const newSlot = (userId: string): UserSlot => new UserSlot(userId);

const EMPTY: UserOnlineState = Object.freeze({ history: [], impressions: [], revision: 0 }) as UserOnlineState;

/**
 * OnlineState in process memory: bounded per user and overall, lost on restart (the server
 * warms it from the Store's events newer than the serving model).
 */
export class MemoryOnlineState implements OnlineState {
  /** users in order of last event (RecencyMap: the oldest is evicted first in O(1)) */
  private readonly users = new RecencyMap<UserSlot>();
  /** the newest maxAttribution impressions, for attribution lookups (see ImpressionRing) */
  private readonly recentImpressions: ImpressionRing;
  /**
   * Trending as exponentially decayed counts stored in "log-space at a reference time": each
   * event adds 2^((t - t0)/halfLife), so comparing items needs no per-read decay pass. The
   * counts live in mutable cells: adding to one is one Map lookup and allocates nothing, where
   * `set(id, get(id) + w)` was two lookups and a fresh heap number per event.
   */
  private readonly itemHeat = new Map<string, HeatCell>();
  private t0 = Number.NaN;
  /**
   * 2^((heatTime - t0)/halfLife) for the last event time seen: a batch's events mostly share
   * their time (the server stamps a POST's events with one clock reading), so one Math.pow
   * serves the whole batch
   */
  private heatTime = Number.NaN;
  private heatWeight = 0;
  private readonly named = new Map<string, number>();
  private readonly maxHistory: number;
  private readonly maxImpressions: number;
  private readonly maxAttribution: number;
  private readonly halfLife: number;
  private readonly maxEvents: number;
  private readonly maxUsers: number;
  private totalEvents = 0;
  /** global revision so cached derived values can tell "anything changed" cheaply */
  private revision = 0;

  constructor(opts: MemoryOnlineStateOptions = {}) {
    this.maxHistory = opts.maxHistory ?? 200;
    this.maxImpressions = opts.maxImpressions ?? 100;
    this.maxAttribution = opts.maxAttribution ?? 100_000;
    this.recentImpressions = new ImpressionRing(this.maxAttribution);
    this.halfLife = opts.trendingHalfLifeMs ?? 24 * 3_600_000;
    this.maxEvents = opts.maxEvents ?? 500_000;
    this.maxUsers = Math.max(1, opts.maxUsers ?? 500_000);
  }

  private slot(userId: string): UserSlot {
    const s = this.users.getOrCreate(userId, newSlot);
    if (this.users.size > this.maxUsers) this.evictUsers();
    return s;
  }

  /** The user's slot, moved to the most-recently-active end (LRU order). */
  private touch(userId: string): UserSlot {
    const s = this.users.touch(userId, newSlot);
    if (this.users.size > this.maxUsers) this.evictUsers();
    return s;
  }

  private evict(): void {
    while (this.totalEvents > this.maxEvents) {
      const oldest = this.users.oldest();
      if (!oldest) return;
      this.totalEvents -= oldest[1].history.length;
      this.users.delete(oldest[0]);
    }
  }

  /** Forgets the least recently active users past maxUsers (the newest entry, just made, is never the oldest). */
  private evictUsers(): void {
    while (this.users.size > this.maxUsers) {
      const oldest = this.users.oldest();
      if (!oldest) return;
      this.totalEvents -= oldest[1].history.length;
      this.users.delete(oldest[0]);
    }
  }

  async recordEvents(events: readonly OnlineEvent[]): Promise<void> {
    this.recordEventsSync(events);
  }

  /** The synchronous core, for in-process callers that must not yield between event and read. */
  recordEventsSync(events: readonly OnlineEvent[]): void {
    // histories over the cap are trimmed once at the end, not once per event: a full history
    // took a splice (shifting ~200 entries) for every event; the kept newest entries are the same
    let over: UserSlot[] | undefined;
    for (const e of events) {
      const s = this.touch(e.userId);
      insertByTime(s.history, historyRecord(e));
      this.totalEvents++;
      if (s.history.length === this.maxHistory + 1) (over ??= []).push(s);
      s.revision = ++this.revision;
      this.addHeat(e.itemId, e.timestamp);
    }
    if (over) for (const s of over) if (s.history.length > this.maxHistory) this.totalEvents -= s.history.splice(0, s.history.length - this.maxHistory).length;
    if (this.totalEvents > this.maxEvents) this.evict();
  }

  private addHeat(itemId: string, t: number): void {
    if (t !== this.heatTime) this.heatWeight = this.weightAt(t);
    const cell = this.itemHeat.get(itemId);
    if (cell) cell.heat += this.heatWeight;
    else this.itemHeat.set(itemId, { heat: this.heatWeight });
  }

  /** 2^((t - t0)/halfLife), first moving t0 to t if that would overflow; remembered as heatTime's weight. */
  private weightAt(t: number): number {
    if (Number.isNaN(this.t0)) this.t0 = t;
    let exponent = (t - this.t0) / this.halfLife;
    if (exponent > 500) {
      // move the reference time forward before 2^exponent overflows
      const shrink = Math.pow(2, -exponent);
      for (const cell of this.itemHeat.values()) cell.heat *= shrink;
      this.t0 = t;
      exponent = 0;
    }
    this.heatTime = t;
    return Math.pow(2, exponent);
  }

  async getUser(userId: string): Promise<UserOnlineState> {
    return this.getUserSync(userId);
  }

  getUserSync(userId: string): UserOnlineState {
    return this.users.get(userId) ?? EMPTY;
  }

  async recordImpressions(impressions: readonly Impression[]): Promise<void> {
    for (const imp of impressions) {
      if (imp.userId === undefined) {
        this.recentImpressions.add(imp, undefined);
        continue;
      }
      const slot = this.slot(imp.userId);
      // the slot's own copy of the id: the request's would be held ~20 s per list
      this.recentImpressions.add(imp, slot.userId);
      slot.shown(this.maxImpressions).push(imp.itemIds, imp.timestamp);
    }
  }

  async getImpression(recommendationId: string): Promise<Impression | undefined> {
    return this.recentImpressions.get(recommendationId);
  }

  async trending(limit: number, now: number): Promise<Array<{ itemId: string; score: number }>> {
    const exponent = Number.isNaN(this.t0) ? -Infinity : (this.t0 - now) / this.halfLife;
    const scale = Math.pow(2, exponent);
    const all = Array.from(this.itemHeat, ([itemId, cell]) => ({ itemId, heat: cell.heat })).sort((a, b) => b.heat - a.heat || (a.itemId < b.itemId ? -1 : 1));
    // `now` more than ~1,000 half-lives from the reference time over- or underflows the scale
    // while the heat itself is representable: then the exponents are added instead
    const inRange = Math.abs(exponent) < 1000;
    return all.slice(0, limit).map(({ itemId, heat }) => ({ itemId, score: inRange ? heat * scale : heat === 0 ? 0 : Math.pow(2, Math.log2(heat) + exponent) }));
  }

  async incrementCounters(deltas: Readonly<Record<string, number>>): Promise<void> {
    // for…in: no entries array per call (a call per accepted batch, i.e. per single event)
    for (const k in deltas) this.named.set(k, (this.named.get(k) ?? 0) + (deltas[k] as number));
  }

  async counters(): Promise<Record<string, number>> {
    return Object.fromEntries(this.named);
  }

  async deleteUser(userId: string): Promise<void> {
    this.totalEvents -= this.users.get(userId)?.history.length ?? 0;
    this.users.delete(userId);
    this.recentImpressions.forgetUser(userId);
    this.revision++;
  }

  async mergeUsers(from: string, into: string): Promise<void> {
    // as the Redis adapter does: merging a user into itself walked a history while inserting into it
    if (from === into) return;
    // the lists shown to `from` go with its history: erasing `into` later reaches them
    this.recentImpressions.moveUser(from, this.users.get(into)?.userId ?? into);
    const a = this.users.get(from);
    if (!a) return;
    const b = this.touch(into);
    this.totalEvents -= a.history.length + b.history.length;
    for (const e of a.history) insertByTime(b.history, e);
    if (b.history.length > this.maxHistory) b.history.splice(0, b.history.length - this.maxHistory);
    this.totalEvents += b.history.length;
    // a stable sort: of equal times, `into`'s impressions stay first (its own, shown out of time
    // order, are put in order too, as before)
    if (a.shownCount > 0 || b.shownCount > 0) b.shown(this.maxImpressions).replace([...b.impressions, ...a.impressions].sort((x, y) => x.timestamp - y.timestamp));
    b.revision = ++this.revision;
    this.users.delete(from);
  }

  async trimBefore(seq: number): Promise<void> {
    for (const [id, s] of this.users.entries()) {
      const kept = s.history.filter((e) => e.seq === undefined || e.seq > seq);
      if (kept.length === s.history.length) continue;
      this.totalEvents -= s.history.length - kept.length;
      // the revision stays (see UserOnlineState.revision): the dropped events are in the model
      s.history = kept;
      if (kept.length === 0 && s.shownCount === 0) this.users.delete(id);
    }
  }

  /** number of users with online state, for memory reporting */
  get userCount(): number {
    return this.users.size;
  }

  /** recent events held over all users */
  get eventCount(): number {
    return this.totalEvents;
  }
}

interface HeatCell {
  heat: number;
}

/**
 * The record kept per recent event: only the fields the pipeline reads (the stored event's
 * context and properties are not retained), each built by ONE object literal. Adding
 * properties after creation gives every record a separate out-of-object property array;
 * with the default 500,000 recent events that was ~20 MiB of the ~50 MiB the histories held.
 */
function historyRecord(e: OnlineEvent): UserEventRecord & { seq?: number } {
  const { itemId, type, timestamp, seq } = e;
  if (e.value === undefined && e.recommendationId === undefined) {
    return seq === undefined ? { itemId, type, timestamp } : { itemId, type, timestamp, seq };
  }
  const rec: UserEventRecord & { seq?: number } = { itemId, type, timestamp };
  if (e.value !== undefined) rec.value = e.value;
  if (e.recommendationId !== undefined) rec.recommendationId = e.recommendationId;
  if (seq !== undefined) rec.seq = seq;
  return rec;
}

/** Keeps the history ordered by time; events almost always arrive in order, so scan from the end. */
function insertByTime<T extends { timestamp: number }>(list: T[], rec: T): void {
  let k = list.length;
  while (k > 0 && (list[k - 1] as T).timestamp > rec.timestamp) k--;
  if (k === list.length) list.push(rec);
  else list.splice(k, 0, rec);
}
