import type { PropertyValue, UserPreferences } from '@attune/engine';
import type { Store } from '../../ports/store.ts';
import { BoundedCache } from './boundedCache.ts';

export interface CachedUser {
  attributes: Readonly<Record<string, PropertyValue>>;
  preferences: UserPreferences;
}

const NOBODY: CachedUser = Object.freeze({ attributes: Object.freeze({}), preferences: Object.freeze({}) }) as CachedUser;

/**
 * Users' attributes and stated preferences in memory: one Store read per user until the bus
 * says the user changed, so recommendation requests do not query SQL. Users without a record
 * are cached too (as empty), which keeps anonymous traffic off the Store as well.
 */
export class UserCache {
  private readonly users: BoundedCache<string, CachedUser>;

  constructor(
    private readonly store: Store,
    maxUsers = 200_000,
  ) {
    this.users = new BoundedCache(maxUsers);
  }

  /** The cached record, without going to the Store: undefined when not cached. */
  peek(userId: string): CachedUser | undefined {
    return this.users.get(userId);
  }

  async get(userId: string): Promise<CachedUser> {
    const hit = this.users.get(userId);
    if (hit) return hit;
    const record = await this.store.getUser(userId);
    const user: CachedUser = record ? { attributes: Object.freeze({ ...record.attributes }), preferences: record.preferences } : NOBODY;
    this.users.set(userId, user);
    return user;
  }

  forget(userId: string): void {
    this.users.delete(userId);
  }
}
