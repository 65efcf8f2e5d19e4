import type { Bus } from '../ports/bus.ts';
import type { ItemRecord, ItemSchema, Page, PropertyDefinition, Store } from '../ports/store.ts';
import { isEmptyRecord, parseItem, parseItemSchema, type ItemInput } from '../validation/itemValidator.ts';
import { ValidationIssue } from '../validation/issue.ts';

export interface RejectedRecord {
  index: number;
  code: string;
  message: string;
  path: string;
}

/**
 * The catalogue: validates items against the item schema (widening it with inferred types for
 * new property names), upserts them and announces `items.changed` after the commit. Used by the
 * API, `attune import items` and `attune demo`.
 */
export class CatalogueService {
  private schema: ItemSchema | undefined;

  constructor(
    private readonly store: Store,
    private readonly bus: Bus,
  ) {}

  async getSchema(): Promise<ItemSchema> {
    if (!this.schema) this.schema = (await this.store.getItemSchema()) ?? { properties: {} };
    return this.schema;
  }

  /** Declares the schema (replacing it). Throws ValidationIssue. */
  async putSchema(raw: unknown): Promise<ItemSchema> {
    const schema = parseItemSchema(raw);
    await this.store.putItemSchema(schema);
    this.schema = schema;
    await this.bus.publish('schema.changed', {});
    return schema;
  }

  /** Upserts one item given its URL id. Throws ValidationIssue. */
  async putItem(id: string, raw: unknown, now = Date.now()): Promise<ItemRecord> {
    const schema = await this.getSchema();
    const { item, newProperties } = parseItem(raw, '$', schema, id);
    await this.widenSchema(newProperties);
    const [record] = await this.write([item], now);
    return record!;
  }

  /**
   * Upserts a batch all-or-nothing: the first invalid item fails the whole batch (a catalogue
   * half-written is worse than a retry). Throws ValidationIssue with the item's path.
   */
  async putItemsAtomic(raws: unknown[], basePath: string, now = Date.now()): Promise<number> {
    const schema = await this.getSchema();
    const merged: ItemSchema = { properties: { ...schema.properties } };
    const items: ItemInput[] = [];
    const added: Record<string, PropertyDefinition> = {};
    for (let i = 0; i < raws.length; i++) {
      const { item, newProperties } = parseItem(raws[i], `${basePath}[${i}]`, merged);
      for (const name in newProperties) merged.properties[name] = added[name] = newProperties[name]!;
      items.push(item);
    }
    await this.widenSchema(added);
    await this.write(items, now);
    return items.length;
  }

  /** Upserts what is valid and reports the rest by index (imports). */
  async putItemsLenient(raws: unknown[], now = Date.now()): Promise<{ written: number; rejected: RejectedRecord[] }> {
    const schema = await this.getSchema();
    const merged: ItemSchema = { properties: { ...schema.properties } };
    const items: ItemInput[] = [];
    const added: Record<string, PropertyDefinition> = {};
    const rejected: RejectedRecord[] = [];
    for (let i = 0; i < raws.length; i++) {
      try {
        const { item, newProperties } = parseItem(raws[i], '$', merged);
        for (const name in newProperties) merged.properties[name] = added[name] = newProperties[name]!;
        items.push(item);
      } catch (err) {
        if (!(err instanceof ValidationIssue)) throw err;
        rejected.push({ index: i, code: err.code, message: err.message, path: err.path });
      }
    }
    await this.widenSchema(added);
    await this.write(items, now);
    return { written: items.length, rejected };
  }

  getItem(id: string): Promise<ItemRecord | undefined> {
    return this.store.getItem(id);
  }

  listItems(opts: { cursor?: string; limit: number }): Promise<Page<ItemRecord>> {
    return this.store.listItems(opts);
  }

  async deleteItem(id: string): Promise<boolean> {
    const deleted = await this.store.deleteItem(id);
    if (deleted) await this.bus.publish('items.changed', { ids: [id] });
    return deleted;
  }

  private async widenSchema(added: Record<string, PropertyDefinition>): Promise<void> {
    if (isEmptyRecord(added)) return;
    const current = await this.getSchema();
    const next: ItemSchema = { properties: { ...current.properties, ...added } };
    // cache first: a concurrent request validating meanwhile sees the widened schema
    this.schema = next;
    await this.store.putItemSchema(next);
    await this.bus.publish('schema.changed', {});
  }

  private async write(items: ItemInput[], now: number): Promise<ItemRecord[]> {
    if (items.length === 0) return [];
    // PUT replaces properties but keeps createdAt of an existing item unless one is given
    const existing = new Map((await this.store.getItems(items.filter((i) => i.createdAt === undefined).map((i) => i.id))).map((r) => [r.id, r]));
    const records: ItemRecord[] = items.map((i) => ({
      id: i.id,
      properties: i.properties,
      available: i.available ?? true,
      createdAt: i.createdAt ?? existing.get(i.id)?.createdAt ?? now,
      updatedAt: now,
    }));
    await this.store.putItems(records);
    await this.bus.publish('items.changed', { ids: records.map((r) => r.id) });
    return records;
  }
}
