import { ownValue, fitContextModel, userKeyedRecord, type ContentOptions, type ContextEvent, type ContextModel } from '@attune/engine';
import type { ItemRecord, ItemSchema, Store } from '../../ports/store.ts';

/** What the content index and the context model read of an item. */
export type CatalogEntry = Pick<ItemRecord, 'id' | 'properties' | 'available' | 'createdAt'>;

/** The catalogue as the trainer (or the serving cache) sees it: the declared schema (if any) and every item. */
export interface CatalogData {
  schema?: ItemSchema;
  items: readonly CatalogEntry[];
}

/** Reads the schema and every item, available or not (the context model backs items off to their category). */
export async function collectCatalog(store: Store, pageSize = 5_000): Promise<CatalogData> {
  const items: ItemRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listItems({ limit: pageSize, ...(cursor === undefined ? {} : { cursor }) });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  const schema = await store.getItemSchema();
  return schema ? { schema, items } : { items };
}

type Kind = 'string' | 'string-set' | 'number' | 'vector';

/** Property kinds from the schema, or, for undeclared properties, from the values seen. */
function propertyKinds(data: CatalogData): Map<string, Kind> {
  const kinds = new Map<string, Kind>();
  for (const [name, def] of Object.entries(data.schema?.properties ?? {})) {
    if (def.type === 'string' || def.type === 'string-set' || def.type === 'number' || def.type === 'vector') kinds.set(name, def.type);
  }
  for (const it of data.items) {
    for (const [name, v] of Object.entries(it.properties)) {
      if (kinds.has(name) || (data.schema !== undefined && ownValue(data.schema.properties, name) !== undefined) || v === null) continue;
      if (typeof v === 'string') kinds.set(name, 'string');
      else if (typeof v === 'number') kinds.set(name, 'number');
      else if (Array.isArray(v) && v.length > 0) kinds.set(name, typeof v[0] === 'number' ? 'vector' : 'string-set');
    }
  }
  return kinds;
}

/**
 * A string property is text (TF-IDF over its words) rather than a categorical value when at
 * least half of the items holding it hold several words: titles and descriptions do, while
 * categories, brands and codes are single tokens whose exact value is what matters.
 */
const TEXT_SHARE = 0.5;

/** Content options from the catalogue: see docs/recommendations.md "Content and context". */
export function contentOptionsOf(data: CatalogData): ContentOptions {
  return contentPlanOf(data).options;
}

/** The content options plus the property the embeddings came from (to read a new item's vector). */
export interface ContentPlan {
  options: ContentOptions;
  vectorProperty?: string;
}

export function contentPlanOf(data: CatalogData): ContentPlan {
  const categorical: string[] = [];
  const text: string[] = [];
  const numeric: string[] = [];
  let vectorProperty: string | undefined;
  for (const [name, kind] of [...propertyKinds(data)].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (kind === 'string-set') categorical.push(name);
    else if (kind === 'number') numeric.push(name);
    else if (kind === 'vector') vectorProperty ??= name;
    else {
      let held = 0;
      let wordy = 0;
      for (const it of data.items) {
        const v = ownValue(it.properties, name);
        if (typeof v !== 'string' || v === '') continue;
        held++;
        if (/\S\s+\S/.test(v.trim())) wordy++;
      }
      if (held > 0 && wordy / held >= TEXT_SHARE) text.push(name);
      else categorical.push(name);
    }
  }
  const opts: ContentOptions = { categorical, text, numeric };
  if (vectorProperty !== undefined) {
    const vectors = userKeyedRecord<number[]>();
    let dim = -1;
    for (const it of data.items) {
      const v = ownValue(it.properties, vectorProperty);
      if (!Array.isArray(v) || v.length === 0 || typeof v[0] !== 'number') continue;
      // the index needs one length: the first one seen wins, others are left out
      if (dim === -1) dim = v.length;
      if (v.length === dim) vectors[it.id] = v as number[];
    }
    if (dim > 0) {
      opts.vectors = vectors;
      return { options: opts, vectorProperty };
    }
  }
  return { options: opts };
}

/** Context fields learned by the trainer: time of day and weekend (in the event's timezone), device, country. */
export const TRAINED_CONTEXT_FIELDS = ['daypart', 'weekend', 'device', 'country'] as const;

/**
 * Item × context model from events that carried a context object (events without one say
 * nothing about where they happened; their UTC time of day would be noise). Items back off to
 * their categories (`category` property) when they have few events. Undefined when no event
 * had a context.
 */
export function fitCatalogContextModel(events: readonly ContextEvent[], data: CatalogData | undefined, typeWeights: Readonly<Record<string, number>>, categoryProperty = 'category'): ContextModel | undefined {
  if (events.length === 0) return undefined;
  const byId = new Map<string, CatalogEntry>();
  for (const it of data?.items ?? []) byId.set(it.id, it);
  const groupsOf = (id: string): string[] => {
    const item = byId.get(id);
    const v = item ? ownValue(item.properties, categoryProperty) : undefined;
    if (typeof v === 'string') return [v];
    return Array.isArray(v) ? v.map(String) : [];
  };
  return fitContextModel(events, { fields: [...TRAINED_CONTEXT_FIELDS], typeWeights, groupsOf });
}

export interface SegmentPopularityOptions {
  /** events a segment needs before it is kept (default 3) */
  minEvents?: number;
  /** segments kept per context field, the busiest first (default 200) */
  maxPerField?: number;
  /** items kept per segment (default 500, as the popularity index keeps per list) */
  topK?: number;
}

/** Context fields that describe how the request was made, not who made it. */
const NOT_SEGMENTS = new Set(['timezone', 'now']);

/**
 * "Popular with people like you": per-segment popularity from the events that carried a
 * context object, a segment being one scalar context field's value (`country=DE`,
 * `device=mobile`, `channel=email` …). The pipeline picks the segment from the scenario's
 * `segmentBy`, reading the user's attribute of that name or else the request's context, so a
 * user stored with `country: DE` and an anonymous request with `?country=DE` meet the same
 * list. Weighted like the global popularity (typeWeights, 1 for other types).
 */
export function segmentPopularity(events: readonly ContextEvent[], typeWeights: Readonly<Record<string, number>>, opts: SegmentPopularityOptions = {}): Record<string, Array<[string, number]>> {
  const minEvents = opts.minEvents ?? 3;
  const topK = opts.topK ?? 500;
  const bySegment = new Map<string, { events: number; items: Map<string, number> }>();
  for (const e of events) {
    const w = e.type === undefined || !Object.hasOwn(typeWeights, e.type) ? 1 : (typeWeights[e.type] as number);
    if (w === 0 || !e.context) continue;
    for (const [field, v] of Object.entries(e.context)) {
      if (NOT_SEGMENTS.has(field) || !(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') || v === '') continue;
      const key = `${field}=${v}`;
      let seg = bySegment.get(key);
      if (!seg) bySegment.set(key, (seg = { events: 0, items: new Map() }));
      seg.events++;
      seg.items.set(e.itemId, (seg.items.get(e.itemId) ?? 0) + w);
    }
  }
  // the busiest values of each field: a free-text context field must not flood the artifact
  const perField = new Map<string, Array<[string, number]>>();
  for (const [key, seg] of bySegment) {
    if (seg.events < minEvents) continue;
    const field = key.slice(0, key.indexOf('='));
    const list = perField.get(field);
    if (list) list.push([key, seg.events]);
    else perField.set(field, [[key, seg.events]]);
  }
  const out: Record<string, Array<[string, number]>> = {};
  const keys = [...perField.values()].flatMap((l) => l.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, opts.maxPerField ?? 200).map(([k]) => k));
  for (const key of keys.sort()) {
    const items = (bySegment.get(key) as { items: Map<string, number> }).items;
    out[key] = [...items].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, topK);
  }
  return out;
}
