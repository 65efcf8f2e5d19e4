/**
 * A validation failure at one JSON path ("$.items[3].price"). Validators throw it; callers
 * turn it into a 400 (API) or a rejected line (import). Throwing keeps the happy path free of
 * result objects, and V8 makes a try block that does not throw cost nothing.
 */
export class ValidationIssue extends Error {
  constructor(
    readonly path: string,
    message: string,
    readonly code = 'invalid_field',
  ) {
    super(message);
  }
}

export function fail(path: string, message: string, code = 'invalid_field'): never {
  throw new ValidationIssue(path, `${path}: ${message}`, code);
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON path of a key below `base`, quoting keys that are not identifiers. */
export function childPath(base: string, key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

export function requireObject(v: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(v)) fail(path, `must be an object, got ${describe(v)}`, 'wrong_type');
  return v;
}

export function checkString(v: unknown, path: string, maxLength: number): string {
  if (typeof v !== 'string') fail(path, `must be a string, got ${describe(v)}`, 'wrong_type');
  if (v.length === 0) fail(path, 'must not be empty');
  if (v.length > maxLength) fail(path, `must be at most ${maxLength} characters`);
  return v;
}

export function checkNumber(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `must be a finite number, got ${describe(v)}`, 'wrong_type');
  return v;
}

/** Epoch milliseconds or an ISO 8601 string; numbers that look like epoch seconds are refused. */
export function checkTimestamp(v: unknown, path: string): number {
  if (typeof v === 'string') {
    const ms = Date.parse(v);
    if (Number.isNaN(ms)) fail(path, `must be epoch milliseconds or an ISO 8601 date, got "${v.slice(0, 40)}"`);
    return ms;
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, `must be epoch milliseconds or an ISO 8601 date, got ${describe(v)}`, 'wrong_type');
  if (v < 0 || v > 8.64e15) fail(path, 'is out of range');
  if (v > 0 && v < 1e11) fail(path, `${v} looks like epoch seconds: send epoch milliseconds or an ISO 8601 date`);
  return Math.round(v);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `a string`;
  return `${typeof v === 'object' ? 'an' : 'a'} ${typeof v}`;
}

/** Throws on the first key not in `allowed`, naming it. */
export function rejectUnknownKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, path: string): void {
  for (const key in obj) {
    if (!allowed.has(key)) fail(childPath(path, key), `unknown field (allowed: ${[...allowed].join(', ')})`, 'unknown_field');
  }
}
