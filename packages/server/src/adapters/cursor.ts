/**
 * Opaque paging cursors: the last id of a page, base64url-encoded so clients treat it as a
 * token rather than something to construct. Shared by every store adapter.
 */
export function encodeCursor(lastId: string): string {
  return Buffer.from(lastId, 'utf8').toString('base64url');
}

/** Returns undefined for a cursor that is not one of ours (the caller reports 400). */
export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(cursor)) return undefined;
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export class InvalidCursorError extends Error {
  readonly code = 'invalid_cursor';
  constructor() {
    super('cursor is not valid: pass back the nextCursor of a previous page');
  }
}
