import type { PropertyValue } from '@attune/engine';
import type { ItemSchema, PropertyDefinition, PropertyType } from '../ports/store.ts';
import { checkId } from './ids.ts';
import { checkTimestamp, childPath, describe, fail, isPlainObject, rejectUnknownKeys, requireObject } from './issue.ts';
import { ownValue } from '@attune/engine';

/**
 * Item bodies and the item schema, shared by the catalogue API and `attune import items`.
 * A property's type is declared (PUT /v1/schema/items) or inferred from its first value, and
 * from then on enforced; a new property name widens the schema.
 */
export const PROPERTY_TYPES: readonly PropertyType[] = ['string', 'number', 'boolean', 'timestamp', 'string-set', 'vector'];
export const ITEM_FIELDS: ReadonlySet<string> = new Set(['properties', 'available', 'createdAt']);
export const BATCH_ITEM_FIELDS: ReadonlySet<string> = new Set(['id', 'properties', 'available', 'createdAt']);
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
const MAX_PROPERTIES = 256;
const MAX_STRING = 10_000;
const MAX_SET = 1_000;
const MAX_VECTOR = 4_096;

export interface ItemInput {
  id: string;
  properties: Record<string, PropertyValue>;
  available?: boolean;
  createdAt?: number;
}

export interface ParsedItem {
  item: ItemInput;
  /** properties this item introduces, with inferred types (the caller widens the schema) */
  newProperties: Record<string, PropertyDefinition>;
}

/** Validates an item body against `schema`; `id` comes from the URL, or from `raw.id` when withId. */
export function parseItem(raw: unknown, path: string, schema: ItemSchema, id?: string): ParsedItem {
  const obj = requireObject(raw, path);
  rejectUnknownKeys(obj, id === undefined ? BATCH_ITEM_FIELDS : ITEM_FIELDS, path);
  const itemId = id ?? checkId(obj.id, `${path}.id`);
  const item: ItemInput = { id: itemId, properties: {} };
  if (obj.available !== undefined) {
    if (typeof obj.available !== 'boolean') fail(`${path}.available`, `must be a boolean, got ${describe(obj.available)}`, 'wrong_type');
    item.available = obj.available;
  }
  if (obj.createdAt !== undefined) item.createdAt = checkTimestamp(obj.createdAt, `${path}.createdAt`);
  const newProperties: Record<string, PropertyDefinition> = {};
  if (obj.properties !== undefined) {
    const props = requireObject(obj.properties, `${path}.properties`);
    let n = 0;
    for (const name in props) {
      const p = childPath(`${path}.properties`, name);
      if (++n > MAX_PROPERTIES) fail(`${path}.properties`, `must have at most ${MAX_PROPERTIES} properties`);
      if (!PROPERTY_NAME.test(name)) fail(p, 'property names start with a letter or _ and use letters, digits, _ . : -');
      const value = props[name];
      if (value === null || value === undefined) {
        item.properties[name] = null;
        continue;
      }
      let def = ownValue(schema.properties, name) ?? ownValue(newProperties, name);
      if (!def) {
        def = inferDefinition(value, p);
        newProperties[name] = def;
      }
      item.properties[name] = checkPropertyValue(value, def, p);
    }
  }
  return { item, newProperties };
}

/** The type a first value implies: arrays of strings are string sets, arrays of numbers vectors. */
export function inferDefinition(value: unknown, path: string): PropertyDefinition {
  switch (typeof value) {
    case 'string':
      return { type: 'string' };
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
  }
  if (Array.isArray(value)) {
    if (value.length === 0 || typeof value[0] === 'string') return { type: 'string-set' };
    if (typeof value[0] === 'number') return { type: 'vector', dimensions: value.length };
  }
  return fail(path, `must be a string, number, boolean, array of strings or array of numbers, got ${describe(value)}`, 'wrong_type');
}

export function checkPropertyValue(value: unknown, def: PropertyDefinition, path: string): PropertyValue {
  const wrong = (): never => fail(path, `must be a ${def.type} (from the item schema), got ${describe(value)}`, 'wrong_type');
  switch (def.type) {
    case 'string':
      if (typeof value !== 'string') return wrong();
      if (value.length > MAX_STRING) fail(path, `must be at most ${MAX_STRING} characters`);
      return value;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return wrong();
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') return wrong();
      return value;
    case 'timestamp':
      return checkTimestamp(value, path);
    case 'string-set': {
      if (!Array.isArray(value)) return wrong();
      if (value.length > MAX_SET) fail(path, `must have at most ${MAX_SET} entries`);
      for (let i = 0; i < value.length; i++) if (typeof value[i] !== 'string') fail(`${path}[${i}]`, 'must be a string', 'wrong_type');
      return [...new Set(value as string[])];
    }
    case 'vector': {
      if (!Array.isArray(value)) return wrong();
      if (def.dimensions !== undefined && value.length !== def.dimensions) fail(path, `must have ${def.dimensions} numbers, got ${value.length}`);
      if (value.length > MAX_VECTOR) fail(path, `must have at most ${MAX_VECTOR} numbers`);
      for (let i = 0; i < value.length; i++) {
        const x = value[i];
        if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${path}[${i}]`, 'must be a finite number', 'wrong_type');
      }
      return value as number[];
    }
  }
}

/** Validates a declared schema: {properties: {name: {type, dimensions?}}}. */
export function parseItemSchema(raw: unknown, path = '$'): ItemSchema {
  const obj = requireObject(raw, path);
  rejectUnknownKeys(obj, new Set(['properties']), path);
  const props = requireObject(obj.properties, `${path}.properties`);
  const out: ItemSchema = { properties: {} };
  for (const name in props) {
    const p = childPath(`${path}.properties`, name);
    if (!PROPERTY_NAME.test(name)) fail(p, 'property names start with a letter or _ and use letters, digits, _ . : -');
    const d = requireObject(props[name], p);
    rejectUnknownKeys(d, new Set(['type', 'dimensions']), p);
    if (typeof d.type !== 'string' || !(PROPERTY_TYPES as readonly string[]).includes(d.type)) {
      fail(`${p}.type`, `must be one of ${PROPERTY_TYPES.join(', ')}`);
    }
    const def: PropertyDefinition = { type: d.type as PropertyType };
    if (d.dimensions !== undefined) {
      if (def.type !== 'vector') fail(`${p}.dimensions`, 'only vector properties have dimensions', 'unknown_field');
      if (typeof d.dimensions !== 'number' || !Number.isInteger(d.dimensions) || d.dimensions < 1 || d.dimensions > MAX_VECTOR) {
        fail(`${p}.dimensions`, `must be an integer from 1 to ${MAX_VECTOR}`);
      }
      def.dimensions = d.dimensions;
    }
    out.properties[name] = def;
  }
  return out;
}

export function isEmptyRecord(r: Record<string, unknown>): boolean {
  for (const _ in r) return false;
  return true;
}

export { isPlainObject };
