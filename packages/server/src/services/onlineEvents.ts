import type { OnlineEvent } from '../ports/onlineState.ts';
import type { StoredEvent } from '../ports/store.ts';

/**
 * Stored events as the online state takes them; events about no item (searches, sign-ins) are
 * left out. The events themselves are passed, not copies: every adapter reads only the
 * OnlineEvent fields (the memory one copies those into its own record, Redis serializes them),
 * and a copy per event was ~5 % of the ingest CPU.
 */
export function onlineEventsOf(events: readonly StoredEvent[]): OnlineEvent[] {
  const out: OnlineEvent[] = [];
  for (const e of events) if (hasItem(e)) out.push(e);
  return out;
}

function hasItem(e: StoredEvent): e is StoredEvent & { itemId: string } {
  return e.itemId !== undefined;
}
