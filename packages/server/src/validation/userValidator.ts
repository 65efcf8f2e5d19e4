import type { PropertyValue, UserPreferences } from '@attune/engine';
import { checkId } from './ids.ts';
import { childPath, describe, fail, rejectUnknownKeys, requireObject } from './issue.ts';

/** User bodies, shared by PUT /v1/users/{id} and `attune import users`. */
export const USER_FIELDS: ReadonlySet<string> = new Set(['attributes', 'preferences']);
export const IMPORT_USER_FIELDS: ReadonlySet<string> = new Set(['id', 'attributes', 'preferences']);
const PREFERENCE_FIELDS: ReadonlySet<string> = new Set(['likedCategories', 'likedItems', 'dislikedItems', 'hiddenCategories']);
const MAX_ATTRIBUTES = 256;
const MAX_LIST = 1_000;

export interface UserInput {
  id: string;
  attributes?: Record<string, PropertyValue>;
  preferences?: UserPreferences;
}

export function parseUser(raw: unknown, path: string, id?: string): UserInput {
  const obj = requireObject(raw, path);
  rejectUnknownKeys(obj, id === undefined ? IMPORT_USER_FIELDS : USER_FIELDS, path);
  const out: UserInput = { id: id ?? checkId(obj.id, `${path}.id`) };
  if (obj.attributes !== undefined) out.attributes = parseAttributes(obj.attributes, `${path}.attributes`);
  if (obj.preferences !== undefined) out.preferences = parsePreferences(obj.preferences, `${path}.preferences`);
  return out;
}

function parseAttributes(raw: unknown, path: string): Record<string, PropertyValue> {
  const obj = requireObject(raw, path);
  const out: Record<string, PropertyValue> = {};
  let n = 0;
  for (const key in obj) {
    const p = childPath(path, key);
    if (++n > MAX_ATTRIBUTES) fail(path, `must have at most ${MAX_ATTRIBUTES} attributes`);
    const v = obj[key];
    if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) {
      out[key] = v as PropertyValue;
    } else if (Array.isArray(v) && v.length <= MAX_LIST && (v.every((x) => typeof x === 'string') || v.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
      out[key] = v as string[] | number[];
    } else {
      fail(p, `must be a string, number, boolean, null, or an array of strings or of numbers, got ${describe(v)}`, 'wrong_type');
    }
  }
  return out;
}

export function parsePreferences(raw: unknown, path: string): UserPreferences {
  const obj = requireObject(raw, path);
  rejectUnknownKeys(obj, PREFERENCE_FIELDS, path);
  const out: UserPreferences = {};
  for (const key of PREFERENCE_FIELDS) {
    const v = obj[key];
    if (v === undefined) continue;
    const p = `${path}.${key}`;
    if (!Array.isArray(v)) fail(p, `must be an array of strings, got ${describe(v)}`, 'wrong_type');
    if (v.length > MAX_LIST) fail(p, `must have at most ${MAX_LIST} entries`);
    for (let i = 0; i < v.length; i++) checkId(v[i], `${p}[${i}]`);
    out[key as keyof UserPreferences] = [...new Set(v as string[])];
  }
  return out;
}
