import type { NewEvent } from '../ports/store.ts';
import { checkId, MAX_ID_LENGTH } from './ids.ts';
import { checkNumber, checkString, checkTimestamp, childPath, describe, fail, isPlainObject, requireObject } from './issue.ts';

/**
 * The one event validator, shared by POST /v1/events and `attune import events`. Written by
 * hand rather than generated: it runs for every event at hundreds of thousands per second, so
 * it walks each field once and allocates only the result.
 */
export const EVENT_FIELDS: ReadonlySet<string> = new Set([
  'eventId',
  'type',
  'userId',
  'itemId',
  'value',
  'timestamp',
  'sessionId',
  'recommendationId',
  'context',
  'properties',
]);

export const MAX_TYPE_LENGTH = 64;
const MAX_CONTEXT_KEYS = 64;
const MAX_PROPERTIES_BYTES = 8 * 1024;

/** Validates one event; `now` fills a missing timestamp. Throws ValidationIssue. */
export function parseEvent(raw: unknown, path: string, now: number): NewEvent {
  if (!isPlainObject(raw)) fail(path, `must be an event object, got ${describe(raw)}`, 'wrong_type');
  const out: NewEvent = { type: '', userId: '', timestamp: now };
  let sawType = false;
  let sawUser = false;
  for (const key in raw) {
    const v = raw[key];
    // undefined only happens for in-process callers; JSON has no undefined
    if (v === undefined) continue;
    switch (key) {
      // type, userId, itemId: a valid value is taken without building its error path (three
      // strings per event); anything else goes to the checker, which throws the exact issue
      case 'type':
        out.type = typeof v === 'string' && v.length > 0 && v.length <= MAX_TYPE_LENGTH ? v : checkString(v, `${path}.type`, MAX_TYPE_LENGTH);
        sawType = true;
        break;
      case 'userId':
        out.userId = isPlainId(v) ? v : checkId(v, `${path}.userId`);
        sawUser = true;
        break;
      case 'itemId':
        if (v !== null) out.itemId = isPlainId(v) ? v : checkId(v, `${path}.itemId`);
        break;
      case 'eventId':
        out.eventId = checkId(v, `${path}.eventId`);
        break;
      case 'value':
        if (v !== null) out.value = checkNumber(v, `${path}.value`);
        break;
      case 'timestamp':
        if (v !== null) out.timestamp = checkTimestamp(v, `${path}.timestamp`);
        break;
      case 'sessionId':
        if (v !== null) out.sessionId = checkId(v, `${path}.sessionId`);
        break;
      case 'recommendationId':
        if (v !== null) out.recommendationId = checkId(v, `${path}.recommendationId`);
        break;
      case 'context':
        if (v !== null) out.context = checkContext(v, `${path}.context`);
        break;
      case 'properties':
        if (v !== null) out.properties = checkProperties(v, `${path}.properties`);
        break;
      default:
        fail(childPath(path, key), `unknown field (allowed: ${[...EVENT_FIELDS].join(', ')})`, 'unknown_field');
    }
  }
  if (!sawType) fail(`${path}.type`, 'is required', 'missing_field');
  if (!sawUser) fail(`${path}.userId`, 'is required', 'missing_field');
  return out;
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** What checkId accepts, tested without a path (it is only needed for the error). */
function isPlainId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH && !CONTROL_CHARACTER.test(v);
}

/** Context is flat: device, locale, country, page … each a string, number or boolean. */
function checkContext(v: unknown, path: string): Record<string, unknown> {
  const obj = requireObject(v, path);
  let n = 0;
  for (const key in obj) {
    if (++n > MAX_CONTEXT_KEYS) fail(path, `must have at most ${MAX_CONTEXT_KEYS} fields`);
    const x = obj[key];
    const t = typeof x;
    if (x !== null && t !== 'string' && t !== 'number' && t !== 'boolean') {
      fail(childPath(path, key), `must be a string, number or boolean, got ${describe(x)}`, 'wrong_type');
    }
    if (t === 'string' && (x as string).length > 1024) fail(childPath(path, key), 'must be at most 1024 characters');
  }
  return obj;
}

/** Free-form JSON kept with the event (not used for training), bounded in size. */
function checkProperties(v: unknown, path: string): Record<string, unknown> {
  const obj = requireObject(v, path);
  if (JSON.stringify(obj).length > MAX_PROPERTIES_BYTES) fail(path, `must serialize to at most ${MAX_PROPERTIES_BYTES} bytes`);
  return obj;
}
