import type { UserEventRecord } from '@attune/engine';
import type { Impression, OnlineEvent, OnlineState, UserOnlineState } from '../../ports/onlineState.ts';
import { RecencyMap } from './recencyMap.ts';

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
}

interface UserSlot {
  history: Array<UserEventRecord & { seq?: number }>;
  impressions: Array<{ itemId: string; timestamp: number }>;
  revision: number;
}

const newSlot = (): UserSlot => ({ history: [], impressions: [], revision: 0 });

const EMPTY: UserOnlineState = Object.freeze({ history: [], impressions: [], revision: 0 }) as UserOnlineState;

/**
 * OnlineState in process memory: bounded per user and overall, lost on restart (the server
 * warms it from the Store's events newer than the serving model).
 */
export class MemoryOnlineState implements OnlineState {
  /** users in order of last event (RecencyMap: the oldest is evicted first in O(1)) */
  private readonly users = new RecencyMap<UserSlot>();
  private readonly impressionsById = new Map<string, Impression>();
  /**
   * impressionsById's ids in insertion order, oldest at `attributionHead`: the oldest is found
   * in O(1). `impressionsById.keys().next()` walks over the holes every delete leaves at the
   * front of a Map until it is rehashed: once the 100,000 cap was reached, a cached
   * recommendation's CPU climbed from ~12 µs to 90-170 µs as the holes piled up.
   */
  private attributionOrder: string[] = [];
  private attributionHead = 0;
  /**
   * Trending as exponentially decayed counts stored in "log-space at a reference time": each
   * event adds 2^((t - t0)/halfLife), so comparing items needs no per-read decay pass.
   */
  private readonly itemHeat = new Map<string, number>();
  private t0 = Number.NaN;
  private readonly named = new Map<string, number>();
  private readonly maxHistory: number;
  private readonly maxImpressions: number;
  private readonly maxAttribution: number;
  private readonly halfLife: number;
  private readonly maxEvents: number;
  private totalEvents = 0;
  /** global revision so cached derived values can tell "anything changed" cheaply */
  private revision = 0;

  constructor(opts: MemoryOnlineStateOptions = {}) {
    this.maxHistory = opts.maxHistory ?? 200;
    this.maxImpressions = opts.maxImpressions ?? 100;
    this.maxAttribution = opts.maxAttribution ?? 100_000;
    this.halfLife = opts.trendingHalfLifeMs ?? 24 * 3_600_000;
    this.maxEvents = opts.maxEvents ?? 500_000;
  }

  private slot(userId: string): UserSlot {
    return this.users.getOrCreate(userId, newSlot);
  }

  /** The user's slot, moved to the most-recently-active end (LRU order). */
  private touch(userId: string): UserSlot {
    return this.users.touch(userId, newSlot);
  }

  private evict(): void {
    while (this.totalEvents > this.maxEvents) {
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
    if (Number.isNaN(this.t0)) this.t0 = t;
    let exponent = (t - this.t0) / this.halfLife;
    if (exponent > 500) {
      // move the reference time forward before 2^exponent overflows
      const shrink = Math.pow(2, -exponent);
      for (const [k, v] of this.itemHeat) this.itemHeat.set(k, v * shrink);
      this.t0 = t;
      exponent = 0;
    }
    this.itemHeat.set(itemId, (this.itemHeat.get(itemId) ?? 0) + Math.pow(2, exponent));
  }

  async getUser(userId: string): Promise<UserOnlineState> {
    return this.getUserSync(userId);
  }

  getUserSync(userId: string): UserOnlineState {
    return this.users.get(userId) ?? EMPTY;
  }

  async recordImpressions(impressions: readonly Impression[]): Promise<void> {
    for (const imp of impressions) {
      if (!this.impressionsById.has(imp.recommendationId)) this.attributionOrder.push(imp.recommendationId);
      this.impressionsById.set(imp.recommendationId, imp);
      if (this.impressionsById.size > this.maxAttribution) this.impressionsById.delete(this.attributionOrder[this.attributionHead++] as string);
      if (this.attributionHead > 1024 && this.attributionHead * 2 > this.attributionOrder.length) {
        // drop the evicted prefix once it is half the array: amortized O(1) per impression
        this.attributionOrder = this.attributionOrder.slice(this.attributionHead);
        this.attributionHead = 0;
      }
      if (!imp.userId) continue;
      const s = this.slot(imp.userId);
      for (const itemId of imp.itemIds) s.impressions.push({ itemId, timestamp: imp.timestamp });
      if (s.impressions.length > this.maxImpressions) s.impressions.splice(0, s.impressions.length - this.maxImpressions);
    }
  }

  async getImpression(recommendationId: string): Promise<Impression | undefined> {
    return this.impressionsById.get(recommendationId);
  }

  async trending(limit: number, now: number): Promise<Array<{ itemId: string; score: number }>> {
    const scale = Number.isNaN(this.t0) ? 0 : Math.pow(2, (this.t0 - now) / this.halfLife);
    const all = [...this.itemHeat].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return all.slice(0, limit).map(([itemId, h]) => ({ itemId, score: h * scale }));
  }

  async incrementCounters(deltas: Readonly<Record<string, number>>): Promise<void> {
    for (const [k, v] of Object.entries(deltas)) this.named.set(k, (this.named.get(k) ?? 0) + v);
  }

  async counters(): Promise<Record<string, number>> {
    return Object.fromEntries(this.named);
  }

  async deleteUser(userId: string): Promise<void> {
    this.totalEvents -= this.users.get(userId)?.history.length ?? 0;
    this.users.delete(userId);
    this.revision++;
  }

  async mergeUsers(from: string, into: string): Promise<void> {
    const a = this.users.get(from);
    if (!a) return;
    const b = this.touch(into);
    this.totalEvents -= a.history.length + b.history.length;
    for (const e of a.history) insertByTime(b.history, e);
    if (b.history.length > this.maxHistory) b.history.splice(0, b.history.length - this.maxHistory);
    this.totalEvents += b.history.length;
    b.impressions = [...b.impressions, ...a.impressions].sort((x, y) => x.timestamp - y.timestamp).slice(-this.maxImpressions);
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
      if (kept.length === 0 && s.impressions.length === 0) this.users.delete(id);
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
