import { fail } from './issue.ts';

export const MAX_ID_LENGTH = 256;

/** Item, user, event and session ids: non-empty strings without control characters. */
export function checkId(v: unknown, path: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v)) fail(path, 'must be a string (quote numeric ids)', 'wrong_type');
  if (typeof v !== 'string') fail(path, 'must be a string', 'wrong_type');
  if (v.length === 0) fail(path, 'must not be empty');
  if (v.length > MAX_ID_LENGTH) fail(path, `must be at most ${MAX_ID_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(v)) fail(path, 'must not contain control characters');
  return v;
}
