import type { OnlineEvent } from '../ports/onlineState.ts';
import type { StoredEvent } from '../ports/store.ts';

/** Stored events as the online state keeps them; events about no item (searches, sign-ins) are left out. */
export function onlineEventsOf(events: readonly StoredEvent[]): OnlineEvent[] {
  const out: OnlineEvent[] = [];
  for (const e of events) {
    if (e.itemId === undefined) continue;
    const o: OnlineEvent = { userId: e.userId, itemId: e.itemId, type: e.type, timestamp: e.timestamp, seq: e.seq };
    if (e.value !== undefined) o.value = e.value;
    if (e.recommendationId !== undefined) o.recommendationId = e.recommendationId;
    out.push(o);
  }
  return out;
}
