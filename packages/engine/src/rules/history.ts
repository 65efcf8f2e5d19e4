import type { UserProfile } from '../pipeline/types.ts';

/**
 * The user's history, indexed once per request so rules can ask "which items did this user
 * <type> within <window>?" for every candidate. The first question for a (type, window) pair
 * costs one pass over that type's items; every later one is a Map lookup.
 */
export interface HistoryIndex {
  /** epoch ms the windows are measured back from */
  readonly now: number;
  /**
   * Ids of items with an event of `type` (null: any type) at or after `now - windowMs`.
   * `windowMs` Infinity means all history; negative or NaN windows are empty.
   */
  itemIds(type: string | null, windowMs: number): ReadonlySet<string>;
}

const EMPTY: ReadonlySet<string> = new Set<string>();
const ANY = '\u0000any';

export function buildHistoryIndex(user: Pick<UserProfile, 'history'> | undefined, now: number): HistoryIndex {
  // Latest timestamp per (type, item): a window query only needs the most recent event.
  const latest = new Map<string, Map<string, number>>();
  const note = (type: string, itemId: string, t: number): void => {
    let byItem = latest.get(type);
    if (!byItem) latest.set(type, (byItem = new Map()));
    const seen = byItem.get(itemId);
    if (seen === undefined || t > seen) byItem.set(itemId, t);
  };
  for (const e of user?.history ?? []) {
    note(e.type, e.itemId, e.timestamp);
    note(ANY, e.itemId, e.timestamp);
  }
  const answers = new Map<string, ReadonlySet<string>>();
  return {
    now,
    itemIds(type, windowMs) {
      if (!(windowMs >= 0)) return EMPTY;
      const key = `${type ?? ANY}\u0000${windowMs}`;
      let ids = answers.get(key);
      if (ids === undefined) {
        const byItem = latest.get(type ?? ANY);
        const from = now - windowMs;
        const found = new Set<string>();
        if (byItem) for (const [id, t] of byItem) if (t >= from) found.add(id);
        ids = found.size === 0 ? EMPTY : found;
        answers.set(key, ids);
      }
      return ids;
    },
  };
}
