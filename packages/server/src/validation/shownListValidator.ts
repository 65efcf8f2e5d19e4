import type { ShownList } from '../ports/store.ts';
import { checkId } from './ids.ts';
import { checkString, checkTimestamp, describe, fail, rejectUnknownKeys, requireObject } from './issue.ts';

/** A recommendation-log line as `attune export recommendations` writes it (ports/store.ts ShownList). */
const SHOWN_LIST_FIELDS: ReadonlySet<string> = new Set(['recommendationId', 'userId', 'surface', 'modelVersion', 'timestamp', 'itemIds', 'request', 'firstId', 'page']);
const REQUIRED = ['recommendationId', 'surface', 'timestamp', 'itemIds'] as const;
/** the most items one served list holds (n is capped far below) */
const MAX_ITEMS = 10_000;

export function parseShownList(raw: unknown, path: string): ShownList {
  const obj = requireObject(raw, path);
  rejectUnknownKeys(obj, SHOWN_LIST_FIELDS, path);
  for (const key of REQUIRED) if (obj[key] === undefined) fail(`${path}.${key}`, 'is required', 'missing_field');
  const recommendationId = checkId(obj.recommendationId, `${path}.recommendationId`);
  if (!Array.isArray(obj.itemIds)) fail(`${path}.itemIds`, `must be an array of item ids, got ${describe(obj.itemIds)}`, 'wrong_type');
  if (obj.itemIds.length > MAX_ITEMS) fail(`${path}.itemIds`, `must have at most ${MAX_ITEMS} entries`);
  const itemIds = obj.itemIds.map((id, i) => checkId(id, `${path}.itemIds[${i}]`));
  const list: ShownList = {
    recommendationId,
    surface: checkString(obj.surface, `${path}.surface`, 64),
    timestamp: checkTimestamp(obj.timestamp, `${path}.timestamp`),
    itemIds,
    firstId: obj.firstId === undefined ? recommendationId : checkId(obj.firstId, `${path}.firstId`),
    page: obj.page === undefined ? 1 : checkPage(obj.page, `${path}.page`),
  };
  if (obj.userId !== undefined) list.userId = checkId(obj.userId, `${path}.userId`);
  if (obj.modelVersion !== undefined) {
    if (!Number.isSafeInteger(obj.modelVersion) || (obj.modelVersion as number) < 0) fail(`${path}.modelVersion`, 'must be a non-negative integer', 'wrong_type');
    list.modelVersion = obj.modelVersion as number;
  }
  if (obj.request !== undefined && obj.request !== null) list.request = obj.request;
  return list;
}

function checkPage(v: unknown, path: string): number {
  if (!Number.isSafeInteger(v) || (v as number) < 1) fail(path, `must be a positive integer, got ${describe(v)}`, 'wrong_type');
  return v as number;
}
