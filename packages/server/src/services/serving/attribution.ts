import type { Impression, OnlineState } from '../../ports/onlineState.ts';
import type { ShownList, StoredEvent, Store } from '../../ports/store.ts';
import type { ImpressionLog } from './impressionLog.ts';
import { ownValue, userKeyedRecord } from '@attune/engine';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AttributedEvent {
  eventId: string;
  type: string;
  userId: string;
  itemId?: string;
  value?: number;
  timestamp: number;
  /** 0-based position of the item in the shown list; absent when the item was not in it */
  position?: number;
}

/** A shown list with what happened to it. */
export interface RecommendationRecord extends Pick<ShownList, 'recommendationId' | 'userId' | 'surface' | 'modelVersion' | 'timestamp' | 'itemIds'> {
  /** every event sent with this recommendationId, oldest first */
  events: AttributedEvent[];
  /** position in its chain of pages (1 = the first list), from the recommendation log */
  page?: number;
  /** the chain's first recommendationId */
  firstRecommendationId?: string;
  outcomes: {
    /** attributed events by type */
    byType: Record<string, number>;
    /** shown items that got at least one attributed event */
    engagedItems: string[];
    /** engagedItems / shown items (0 when nothing was shown) */
    engagementRate: number;
  };
}

/**
 * What happened to one recommendation: the list that was shown (the recommendation log) and
 * the events that came back carrying its id. The log answers by id on any node and after a
 * restart (lists not yet written come from this node's buffer); the online state answers ids
 * the log does not hold (e.g. served a moment ago by another node, not yet written).
 */
export class Attribution {
  constructor(
    private readonly store: Store,
    private readonly online: OnlineState,
    private readonly impressions: ImpressionLog,
  ) {}

  async get(recommendationId: string): Promise<RecommendationRecord | undefined> {
    // ids are UUIDs (RecommendationService.respond): anything else need not reach the store
    const logged = UUID.test(recommendationId) ? await this.impressions.find(recommendationId) : undefined;
    const impression: Impression | undefined = logged ?? (await this.online.getImpression(recommendationId));
    if (!impression) return undefined;
    const stored = (await this.store.getEventByRecommendation?.(recommendationId)) ?? [];
    const position = new Map<string, number>();
    impression.itemIds.forEach((id, k) => {
      if (!position.has(id)) position.set(id, k);
    });
    const events = stored.map((e) => toAttributed(e, position));
    const byType = userKeyedRecord<number>();
    const engaged = new Set<string>();
    for (const e of events) {
      byType[e.type] = (ownValue(byType, e.type) ?? 0) + 1;
      if (e.itemId !== undefined && e.position !== undefined) engaged.add(e.itemId);
    }
    const engagedItems = impression.itemIds.filter((id) => engaged.has(id));
    const record: RecommendationRecord = {
      recommendationId,
      surface: impression.surface,
      timestamp: impression.timestamp,
      itemIds: impression.itemIds,
      events,
      outcomes: { byType, engagedItems, engagementRate: impression.itemIds.length ? engagedItems.length / impression.itemIds.length : 0 },
    };
    if (impression.userId !== undefined) record.userId = impression.userId;
    if (impression.modelVersion !== undefined) record.modelVersion = impression.modelVersion;
    if (logged) {
      record.page = logged.page;
      record.firstRecommendationId = logged.firstId;
    }
    return record;
  }
}

function toAttributed(e: StoredEvent, position: Map<string, number>): AttributedEvent {
  const out: AttributedEvent = { eventId: e.eventId, type: e.type, userId: e.userId, timestamp: e.timestamp };
  if (e.itemId !== undefined) {
    out.itemId = e.itemId;
    const p = position.get(e.itemId);
    if (p !== undefined) out.position = p;
  }
  if (e.value !== undefined) out.value = e.value;
  return out;
}
