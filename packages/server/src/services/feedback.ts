import type { UserPreferences } from '@attune/engine';
import type { StoredEvent, Store } from '../ports/store.ts';
import type { UserService } from './userService.ts';
import { ownValue } from '@attune/engine';

/** Event types that are the user saying "not this": they become stated preferences. */
export const FEEDBACK_EVENT_TYPES: ReadonlySet<string> = new Set(['not-interested', 'dislike', 'hide-category']);

/** Longest preference list kept (the user validator's limit): the oldest entries give way. */
const MAX_LIST = 1_000;

/**
 * Folds negative feedback events into the user's stored preferences: `not-interested` and
 * `dislike` add the item to `dislikedItems`, `hide-category` adds the item's categories (or the
 * event's `properties.category`) to `hiddenCategories`.
 *
 * Why: the real-time path already excludes these at once through the online history, but that
 * history is trimmed after a retrain and these events weigh 0 in training, so without this the
 * exclusion would silently end at the next model. Preferences are durable, survive restarts
 * and retrains, show in `GET /v1/users/{id}`, and the user can undo them with
 * `PUT /v1/users/{id}/preferences`.
 */
export class FeedbackService {
  // one read-modify-write per user at a time: two feedback batches must not lose each other
  private readonly pending = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly users: UserService,
    private readonly categoryProperty = 'category',
  ) {}

  async eventsAccepted(events: readonly StoredEvent[]): Promise<void> {
    // nearly every batch has no feedback event: no map and no promises for it
    if (!events.some((e) => FEEDBACK_EVENT_TYPES.has(e.type))) return;
    const byUser = new Map<string, StoredEvent[]>();
    for (const e of events) {
      if (!FEEDBACK_EVENT_TYPES.has(e.type)) continue;
      let list = byUser.get(e.userId);
      if (!list) byUser.set(e.userId, (list = []));
      list.push(e);
    }
    await Promise.all([...byUser].map(([userId, list]) => this.serialize(userId, () => this.apply(userId, list))));
  }

  private serialize(userId: string, task: () => Promise<void>): Promise<void> {
    const prev = this.pending.get(userId) ?? Promise.resolve();
    const next = prev.then(task, task);
    this.pending.set(userId, next);
    void next.finally(() => {
      if (this.pending.get(userId) === next) this.pending.delete(userId);
    });
    return next;
  }

  private async apply(userId: string, events: readonly StoredEvent[]): Promise<void> {
    const record = await this.store.getUser(userId);
    const prefs: UserPreferences = { ...record?.preferences };
    const disliked = [...(prefs.dislikedItems ?? [])];
    const hidden = [...(prefs.hiddenCategories ?? [])];
    let changed = false;
    for (const e of events) {
      if (e.type === 'hide-category') {
        for (const c of await this.categoriesOf(e)) changed = addLast(hidden, c) || changed;
      } else if (e.itemId !== undefined) {
        changed = addLast(disliked, e.itemId) || changed;
      }
    }
    if (!changed) return;
    prefs.dislikedItems = disliked.slice(-MAX_LIST);
    prefs.hiddenCategories = hidden.slice(-MAX_LIST);
    await this.users.write({ id: userId, preferences: prefs });
  }

  private async categoriesOf(e: StoredEvent): Promise<string[]> {
    const given = e.properties?.[this.categoryProperty];
    if (typeof given === 'string') return [given];
    if (Array.isArray(given)) return given.filter((c): c is string => typeof c === 'string');
    if (e.itemId === undefined) return [];
    const item = await this.store.getItem(e.itemId);
    const v = item ? ownValue(item.properties, this.categoryProperty) : undefined;
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.map(String);
    return [];
  }
}

/** Adds `v` unless present; true when the list changed. */
function addLast(list: string[], v: string): boolean {
  if (list.includes(v)) return false;
  list.push(v);
  return true;
}
