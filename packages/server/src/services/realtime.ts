import type { OnlineState } from '../ports/onlineState.ts';
import type { StoredEvent } from '../ports/store.ts';
import type { CatalogCache } from './catalogCache.ts';
import { onlineEventsOf } from './onlineEvents.ts';

export interface RealtimeDeps {
  online: OnlineState;
  catalog: CatalogCache;
  /** told how many events were accepted, e.g. the trainer's "retrain after N events" */
  onEventsCounted?: (n: number) => void;
  onError?: (err: unknown) => void;
}

/**
 * The real-time path: turns bus messages into online-state changes. An accepted event lands
 * in the user's recent history before the next request is served, so the next recommendation
 * excludes the consumed item and scores from the updated history.
 */
export class RealtimeUpdater {
  constructor(private readonly deps: RealtimeDeps) {}

  async eventsAccepted(events: readonly StoredEvent[]): Promise<void> {
    const online = onlineEventsOf(events);
    if (online.length > 0) await this.deps.online.recordEvents(online);
    await this.deps.online.incrementCounters({ eventsAccepted: events.length });
    this.deps.onEventsCounted?.(events.length);
  }

  async itemsChanged(ids?: readonly string[]): Promise<void> {
    await this.deps.catalog.changed(ids);
  }

  async userDeleted(userId: string): Promise<void> {
    await this.deps.online.deleteUser(userId);
  }

  async usersMerged(from: string, into: string): Promise<void> {
    await this.deps.online.mergeUsers(from, into);
  }
}
