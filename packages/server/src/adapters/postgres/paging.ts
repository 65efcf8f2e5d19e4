import type { Page } from '../../ports/store.ts';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../cursor.ts';

/**
 * Keyset paging with the same cursor tokens and rules as the SQLite adapter (which keeps these
 * two helpers private): a cursor is the last id of the previous page, ids are compared bytewise.
 */
export function cursorAfter(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  const id = decodeCursor(cursor);
  if (id === undefined || id === '') throw new InvalidCursorError();
  return id;
}

/** `rows` holds up to limit + 1 rows: the extra one only says that another page exists. */
export function pageOf<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(items[items.length - 1]!.id) };
}

export function pageLimit(limit: number): number {
  return Math.max(1, Math.floor(limit));
}
