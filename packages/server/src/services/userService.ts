import type { Bus } from '../ports/bus.ts';
import type { OnlineState } from '../ports/onlineState.ts';
import type { Page, StoredEvent, Store, UserRecord } from '../ports/store.ts';
import { parseUser, type UserInput } from '../validation/userValidator.ts';
import { badRequest } from '../errors.ts';
import { ownValue, userKeyedRecord } from '@attune/engine';

export interface UserView extends UserRecord {
  events: {
    /** events counted (the newest `summaryWindow` of them) */
    counted: number;
    byType: Record<string, number>;
    lastEventAt?: number;
    /** newest first */
    recent: Array<Pick<StoredEvent, 'type' | 'itemId' | 'timestamp' | 'value'>>;
  };
}

const SUMMARY_WINDOW = 1_000;
const RECENT = 20;

/**
 * Users: attributes and stated preferences, the events summary, erasure (with their events)
 * and merging an anonymous id into a known one. Announces changes on the bus after commit.
 */
export class UserService {
  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
    /**
     * Set when the bus delivers after publish resolves (NATS): erasure and merging then reach the
     * shared online state (history AND impressions) before the request answers.
     */
    private readonly online?: OnlineState,
  ) {}

  /** Upserts from a request body. Throws ValidationIssue. */
  async putUser(id: string, raw: unknown, now = Date.now()): Promise<UserRecord> {
    return this.write(parseUser(raw, '$', id), now);
  }

  async write(input: UserInput, now = Date.now()): Promise<UserRecord> {
    const existing = await this.store.getUser(input.id);
    const record: UserRecord = {
      id: input.id,
      attributes: input.attributes ?? existing?.attributes ?? {},
      preferences: input.preferences ?? existing?.preferences ?? {},
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.store.putUser(record);
    await this.bus.publish('users.changed', { userId: input.id });
    return record;
  }

  /** The record plus an events summary; undefined when neither a record nor events exist. */
  async getUser(id: string): Promise<UserView | undefined> {
    const [record, events] = await Promise.all([this.store.getUser(id), this.store.userEvents(id, { limit: SUMMARY_WINDOW })]);
    if (!record && events.length === 0) return undefined;
    // event types are the client's words: "constructor" is one like any other
    const byType = userKeyedRecord<number>();
    for (const e of events) byType[e.type] = (ownValue(byType, e.type) ?? 0) + 1;
    const recent = events
      .slice(-RECENT)
      .reverse()
      .map((e) => {
        const r: UserView['events']['recent'][number] = { type: e.type, timestamp: e.timestamp };
        if (e.itemId !== undefined) r.itemId = e.itemId;
        if (e.value !== undefined) r.value = e.value;
        return r;
      });
    const view: UserView = {
      id,
      attributes: record?.attributes ?? {},
      preferences: record?.preferences ?? {},
      createdAt: record?.createdAt ?? events[0]!.receivedAt,
      updatedAt: record?.updatedAt ?? events[events.length - 1]!.receivedAt,
      events: { counted: events.length, byType, recent },
    };
    if (events.length > 0) view.events.lastEventAt = events[events.length - 1]!.timestamp;
    return view;
  }

  listUsers(opts: { cursor?: string; limit: number }): Promise<Page<UserRecord>> {
    return this.store.listUsers(opts);
  }

  async deleteUser(id: string): Promise<boolean> {
    const deleted = await this.store.deleteUser(id);
    // erase the recent state even when the store held nothing: it may outlive the stored rows
    if (this.online) await this.online.deleteUser(id);
    if (deleted) await this.bus.publish('users.deleted', { userId: id });
    return deleted;
  }

  /** Moves `fromUserId`'s history to `intoUserId`. Returns undefined when `fromUserId` is unknown. */
  async mergeUsers(fromUserId: string, intoUserId: string): Promise<{ movedEvents: number } | undefined> {
    if (fromUserId === intoUserId) throw badRequest('invalid_field', '$.fromUserId: must differ from the target user', '$.fromUserId');
    const [record, events] = await Promise.all([this.store.getUser(fromUserId), this.store.userEvents(fromUserId, { limit: 1 })]);
    if (!record && events.length === 0) return undefined;
    const result = await this.store.mergeUsers(fromUserId, intoUserId);
    if (this.online) await this.online.mergeUsers(fromUserId, intoUserId);
    await this.bus.publish('users.merged', { fromUserId, intoUserId, movedEvents: result.movedEvents });
    return result;
  }
}
