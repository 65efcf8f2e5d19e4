/**
 * A record's own value for a key, or undefined. Plain objects keyed by ids, categories or other
 * strings users choose inherit from Object.prototype: `counts['constructor']` is a function and
 * `categories['toString']` too, so reading one by a user's key must ask for an own property.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * An empty record keyed by user strings: no prototype, so assigning the key "__proto__" stores a
 * value instead of replacing the prototype. (Read such records with ownValue all the same: one
 * decoded from JSON has Object.prototype again.)
 */
export function userKeyedRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}
