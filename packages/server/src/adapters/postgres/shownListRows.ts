import type { ShownList } from '../../ports/store.ts';

/** A recommendation_log row as node-postgres returns it (bigint as a string, jsonb parsed). */
export interface ShownListRow {
  recommendation_id: string;
  user_id: string | null;
  surface: string;
  model_version: number | null;
  ts: string;
  item_ids: string[];
  request?: unknown;
  first_id: string;
  page: number;
}

export function shownListFromRow(r: ShownListRow): ShownList {
  const l: ShownList = { recommendationId: r.recommendation_id, surface: r.surface, timestamp: Number(r.ts), itemIds: r.item_ids, firstId: r.first_id, page: r.page };
  if (r.user_id !== null) l.userId = r.user_id;
  if (r.model_version !== null) l.modelVersion = r.model_version;
  if (r.request !== undefined && r.request !== null) l.request = r.request;
  return l;
}
