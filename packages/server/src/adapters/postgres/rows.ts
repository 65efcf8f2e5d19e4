import type { ItemRecord, ModelVersion, StoredEvent, UserRecord } from '../../ports/store.ts';

/**
 * Row shapes as node-postgres returns them and their conversion to port records. int8 (bigint)
 * arrives as a string because it can exceed 2^53; epoch ms and seq stay far below, so Number()
 * is exact. jsonb arrives parsed.
 */
export interface ItemRow {
  id: string;
  properties: ItemRecord['properties'];
  available: boolean;
  created_at: string;
  updated_at: string;
}
export interface UserRow {
  id: string;
  attributes: UserRecord['attributes'];
  preferences: UserRecord['preferences'];
  created_at: string;
  updated_at: string;
}
export interface EventRow {
  seq: string;
  event_id: string | null;
  type: string;
  user_id: string;
  item_id: string | null;
  value: number | null;
  ts: string;
  session_id: string | null;
  recommendation_id: string | null;
  context: Record<string, unknown> | null;
  properties: Record<string, unknown> | null;
  received_at: string;
}
export interface ModelRow {
  version: number;
  model: string;
  params: Record<string, unknown>;
  status: ModelVersion['status'];
  created_at: string;
  metrics: Record<string, number>;
  training_events: string;
  duration_ms: number;
  note: string | null;
}

export function itemFromRow(r: ItemRow): ItemRecord {
  return { id: r.id, properties: r.properties, available: r.available, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

export function userFromRow(r: UserRow): UserRecord {
  return {
    id: r.id,
    attributes: r.attributes,
    preferences: r.preferences,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** `idPrefix`: the database's prefix for server-named events, whose event_id is null (prefix + seq) */
export function eventFromRow(r: EventRow, idPrefix: string): StoredEvent {
  const e: StoredEvent = {
    eventId: r.event_id ?? idPrefix + r.seq,
    seq: Number(r.seq),
    type: r.type,
    userId: r.user_id,
    timestamp: Number(r.ts),
    receivedAt: Number(r.received_at),
  };
  // absent optional fields stay absent (not null), as in the SQLite adapter
  if (r.item_id !== null) e.itemId = r.item_id;
  if (r.value !== null) e.value = r.value;
  if (r.session_id !== null) e.sessionId = r.session_id;
  if (r.recommendation_id !== null) e.recommendationId = r.recommendation_id;
  if (r.context !== null) e.context = r.context;
  if (r.properties !== null) e.properties = r.properties;
  return e;
}

export function modelFromRow(r: ModelRow): ModelVersion {
  const m: ModelVersion = {
    version: r.version,
    model: r.model,
    params: r.params,
    status: r.status,
    createdAt: Number(r.created_at),
    metrics: r.metrics,
    trainingEvents: Number(r.training_events),
    durationMs: r.duration_ms,
  };
  if (r.note !== null) m.note = r.note;
  return m;
}
