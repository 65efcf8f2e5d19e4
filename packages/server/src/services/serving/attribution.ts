import type { Impression, OnlineState } from '../../ports/onlineState.ts';
import type { StoredEvent, Store } from '../../ports/store.ts';
import { IMPRESSION_COLLECTION, type ImpressionLog } from './impressionLog.ts';

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

export interface RecommendationRecord {
  recommendationId: string;
  userId?: string;
  surface: string;
  modelVersion?: number;
  /** epoch ms the list was served */
  timestamp: number;
  /** the shown items, in order */
  itemIds: string[];
  /** every event sent with this recommendationId, oldest first */
  events: AttributedEvent[];
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
 * What happened to one recommendation: the list that was shown (the impression log) and the
 * events that came back carrying its id. The online state answers recent ids; after a restart
 * (or once the online state forgot the id) the durable impression log in the Store does.
 */
export class Attribution {
  constructor(
    private readonly store: Store,
    private readonly online: OnlineState,
    private readonly impressions: ImpressionLog,
  ) {}

  async get(recommendationId: string): Promise<RecommendationRecord | undefined> {
    // ids are UUIDs (RecommendationService.respond): anything else need not scan the log
    const impression = (await this.online.getImpression(recommendationId)) ?? (UUID.test(recommendationId) ? await this.fromLog(recommendationId) : undefined);
    if (!impression) return undefined;
    const stored = (await this.store.getEventByRecommendation?.(recommendationId)) ?? [];
    const position = new Map<string, number>();
    impression.itemIds.forEach((id, k) => {
      if (!position.has(id)) position.set(id, k);
    });
    const events = stored.map((e) => toAttributed(e, position));
    const byType: Record<string, number> = {};
    const engaged = new Set<string>();
    for (const e of events) {
      byType[e.type] = (byType[e.type] ?? 0) + 1;
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
    return record;
  }

  /** Scans the durable log, newest batch first (a lookup path, not a serving one). */
  private async fromLog(recommendationId: string): Promise<Impression | undefined> {
    await this.impressions.flush();
    const batches = await this.store.listDocuments<Impression[]>(IMPRESSION_COLLECTION);
    for (let k = batches.length - 1; k >= 0; k--) {
      const hit = (batches[k] as { value: Impression[] }).value.find((i) => i.recommendationId === recommendationId);
      if (hit) return hit;
    }
    return undefined;
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
