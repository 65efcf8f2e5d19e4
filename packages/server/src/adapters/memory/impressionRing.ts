import type { Impression } from '../../ports/onlineState.ts';
import { RecentIds } from './recentIds.ts';

/**
 * The newest `capacity` impressions (served lists), found by recommendationId, for attributing
 * the events that name one. Each impression is a slot of columns (the item-id array, the user,
 * the surface, the time, the model version) instead of a record object: at 5,000 lists/s the
 * 100,000 held are ~20 s of traffic, so every record object reached V8's old generation and
 * died there, and the full collections that garbage paces were the serving tail's largest
 * stalls. What each list still keeps is its id, its user id (the caller passes one string per
 * user, not the request's copy) and, for a list not answered from the list cache, its item ids.
 * The Impression a lookup returns is built then.
 */
export class ImpressionRing {
  private readonly ids: RecentIds;
  private itemIds: Array<string[] | undefined> = [];
  private users: Array<string | undefined> = [];
  private surfaces: string[] = [];
  private times = new Float64Array(0);
  /** NaN: no model version */
  private versions = new Float64Array(0);

  constructor(capacity: number) {
    this.ids = new RecentIds(capacity);
  }

  get size(): number {
    return this.ids.size;
  }

  /** Holds `imp` (its arrays by reference: callers must not change them) under the user id `userId`, when it has one. */
  add(imp: Impression, userId: string | undefined): void {
    const slot = this.ids.add(imp.recommendationId);
    if (slot < 0) return;
    if (slot >= this.times.length) this.grow();
    this.itemIds[slot] = imp.itemIds;
    this.users[slot] = userId;
    this.surfaces[slot] = imp.surface;
    this.times[slot] = imp.timestamp;
    this.versions[slot] = imp.modelVersion ?? Number.NaN;
  }

  /** The newest impression with this id, as it was added. */
  get(recommendationId: string): Impression | undefined {
    const slot = this.ids.find(recommendationId);
    if (slot < 0) return undefined;
    const imp: Impression = { recommendationId, itemIds: this.itemIds[slot] as string[], timestamp: this.times[slot] as number, surface: this.surfaces[slot] as string };
    const userId = this.users[slot];
    if (userId !== undefined) imp.userId = userId;
    const version = this.versions[slot] as number;
    if (!Number.isNaN(version)) imp.modelVersion = version;
    return imp;
  }

  /** Forgets every impression shown to `userId` (an erasure): a scan of the user column, ~0.1 ms per 100,000. */
  forgetUser(userId: string): void {
    for (let slot = 0; slot < this.users.length; slot++) {
      if (this.users[slot] !== userId) continue;
      this.ids.remove(slot);
      this.itemIds[slot] = undefined;
      this.users[slot] = undefined;
    }
  }

  /** Impressions shown to `from` count as shown to `into` (a merge): a later erasure of `into` reaches them. */
  moveUser(from: string, into: string): void {
    for (let slot = 0; slot < this.users.length; slot++) if (this.users[slot] === from) this.users[slot] = into;
  }

  /** The columns double with the ring as it fills: few reallocations, none once it is full. */
  private grow(): void {
    const length = Math.min(this.ids.capacity, Math.max(1024, this.times.length * 2));
    this.itemIds = grown(this.itemIds, length, undefined);
    this.users = grown(this.users, length, undefined);
    this.surfaces = grown(this.surfaces, length, '');
    const times = new Float64Array(length);
    times.set(this.times);
    this.times = times;
    const versions = new Float64Array(length);
    versions.set(this.versions);
    this.versions = versions;
  }
}

function grown<T>(column: T[], length: number, empty: T): T[] {
  const out = new Array<T>(length).fill(empty);
  for (let k = 0; k < column.length; k++) out[k] = column[k] as T;
  return out;
}
