import type { ItemSchema } from '../ports/store.ts';
import { ownValue } from '@attune/engine';

/**
 * Turns a CSV/TSV row (column → text) into the same JSON shape the API takes, so that the one
 * set of validators judges both. Columns named `context.x` / `properties.x` / `attributes.x`
 * fill those maps; list cells are separated by `|`; empty cells are absent.
 */
export const LIST_SEPARATOR = '|';

/** Header aliases accepted for the canonical fields (case-insensitive). */
export const EVENT_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  type: ['event_type', 'eventType', 'event'],
  userId: ['user_id', 'user', 'userid'],
  itemId: ['item_id', 'item', 'itemid'],
  eventId: ['event_id', 'eventid'],
  sessionId: ['session_id', 'session'],
  recommendationId: ['recommendation_id'],
  timestamp: ['time', 'ts', 'date'],
  value: ['rating', 'amount'],
};
export const ITEM_COLUMNS: Readonly<Record<string, readonly string[]>> = { id: ['item_id', 'itemId', 'item'], createdAt: ['created_at'] };
export const USER_COLUMNS: Readonly<Record<string, readonly string[]>> = { id: ['user_id', 'userId', 'user'] };

const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/;

/** A cell's value when no schema says otherwise: plain numbers and true/false are typed. */
export function inferCell(text: string): string | number | boolean {
  if (NUMBER.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

function numeric(text: string): number | string {
  return NUMBER.test(text) ? Number(text) : text;
}

function setIn(target: Record<string, unknown>, group: string, key: string, value: unknown): void {
  const map = (target[group] ??= {}) as Record<string, unknown>;
  map[key] = value;
}

export function eventFromRow(record: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [col, cell] of Object.entries(record)) {
    if (cell === '') continue;
    if (col.startsWith('context.')) setIn(out, 'context', col.slice(8), inferCell(cell));
    else if (col.startsWith('properties.')) setIn(out, 'properties', col.slice(11), inferCell(cell));
    else if (col === 'value' || col === 'timestamp') out[col] = numeric(cell);
    else out[col] = cell;
  }
  return out;
}

export function itemFromRow(record: Record<string, string>, schema: ItemSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  for (const [col, cell] of Object.entries(record)) {
    if (cell === '') continue;
    if (col === 'id') out.id = cell;
    else if (col === 'available') out.available = cell === 'true' || cell === '1' ? true : cell === 'false' || cell === '0' ? false : cell;
    else if (col === 'createdAt') out.createdAt = numeric(cell);
    else {
      const name = col.startsWith('properties.') ? col.slice(11) : col;
      properties[name] = typedCell(cell, ownValue(schema.properties, name)?.type);
    }
  }
  out.properties = properties;
  return out;
}

/** A cell read as the schema's type; the validator then reports a mismatch with its path. */
function typedCell(cell: string, type: string | undefined): unknown {
  switch (type) {
    case 'string':
      return cell;
    case 'number':
    case 'timestamp':
      return numeric(cell);
    case 'boolean':
      return cell === 'true' ? true : cell === 'false' ? false : cell;
    case 'string-set':
      return cell.split(LIST_SEPARATOR).map((s) => s.trim()).filter((s) => s !== '');
    case 'vector':
      return cell.split(/[|\s]+/).filter((s) => s !== '').map(numeric);
    default:
      return cell.includes(LIST_SEPARATOR) ? cell.split(LIST_SEPARATOR).map((s) => s.trim()) : inferCell(cell);
  }
}

const PREFERENCES = new Set(['likedCategories', 'likedItems', 'dislikedItems', 'hiddenCategories']);

export function userFromRow(record: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [col, cell] of Object.entries(record)) {
    if (cell === '') continue;
    if (col === 'id') out.id = cell;
    else if (col.startsWith('preferences.') || PREFERENCES.has(col)) {
      const key = col.startsWith('preferences.') ? col.slice(12) : col;
      setIn(out, 'preferences', key, cell.split(LIST_SEPARATOR).map((s) => s.trim()).filter((s) => s !== ''));
    } else {
      const key = col.startsWith('attributes.') ? col.slice(11) : col;
      setIn(out, 'attributes', key, cell.includes(LIST_SEPARATOR) ? cell.split(LIST_SEPARATOR).map((s) => s.trim()) : inferCell(cell));
    }
  }
  return out;
}
