import { buildNewArrivalsIndex, type CatalogItem, type CatalogView, type ContentIndex, type IdMap, type NewArrivalsIndex, type PropertyValue } from '@attune/engine';
import type { ItemRecord, ItemSchema, Store } from '../ports/store.ts';
import { LiveContentIndex } from './catalogContentIndex.ts';

interface CachedItem {
  id: string;
  properties: Readonly<Record<string, PropertyValue>>;
  available: boolean;
  createdAt: number;
}

const NO_PROPERTIES: Readonly<Record<string, PropertyValue>> = Object.freeze({});

/**
 * The catalogue in memory, so a recommendation request never touches SQL. The cache keeps the
 * Store's items; `view(items)` lines them up with a model's item indices. Items a model knows
 * but the catalogue never had (events can name items before the catalogue lists them) are
 * served as bare available items; items deleted from the catalogue are not.
 */
export class CatalogCache {
  private items = new Map<string, CachedItem>();
  /** ids deleted while this process ran: never resurrected as bare model items */
  private readonly removed = new Set<string>();
  private revision = 0;
  private memo: { revision: number; map: IdMap | undefined; view: CatalogView } | undefined;
  private arrivals: { revision: number; index: NewArrivalsIndex } | undefined;
  private pending: Promise<void> | undefined;
  private readonly content = new LiveContentIndex();
  private schema: ItemSchema | undefined;
  private rebuildTimer: { timer: NodeJS.Timeout; due: number } | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Changes whenever the cached items do (not on a model swap): a cache key for lists built from them. */
  get itemsRevision(): number {
    return this.revision;
  }

  /** Reloads every item from the Store. */
  async refresh(): Promise<void> {
    const next = new Map<string, CachedItem>();
    let cursor: string | undefined;
    do {
      const page = await this.store.listItems({ limit: 5_000, ...(cursor ? { cursor } : {}) });
      for (const r of page.items) next.set(r.id, cached(r));
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of this.items.keys()) if (!next.has(id)) this.removed.add(id);
    for (const id of next.keys()) this.removed.delete(id);
    this.items = next;
    this.schema = await this.store.getItemSchema();
    this.revision++;
    this.rebuildContent();
  }

  /** Re-reads the given items (or everything), coalescing calls that arrive while one runs. */
  async changed(ids?: readonly string[]): Promise<void> {
    if (!ids) {
      this.pending = (this.pending ?? Promise.resolve()).then(() => this.refresh());
      return this.pending;
    }
    const found = await this.store.getItems([...ids]);
    const seen = new Set<string>();
    for (const r of found) {
      this.items.set(r.id, cached(r));
      this.removed.delete(r.id);
      seen.add(r.id);
    }
    const deleted: string[] = [];
    for (const id of ids) {
      if (seen.has(id)) continue;
      this.items.delete(id);
      this.removed.add(id);
      deleted.push(id);
    }
    this.revision++;
    // a new item is found by content at once; a bulk change waits for one rebuild
    if (!this.content.patch(found.map(cached), deleted) || this.content.rebuildDue) {
      if (!this.content.current || this.items.size <= SYNC_REBUILD_ITEMS) this.rebuildContent();
      else this.scheduleRebuild();
    }
  }

  /** The item schema changed: property kinds may have too, so the content index is rebuilt (debounced). */
  async schemaChanged(): Promise<void> {
    this.schema = await this.store.getItemSchema();
    this.scheduleRebuild();
  }

  /** The content index over the cached catalogue (content retriever, content-similar, diversity); undefined when empty. */
  contentIndex(): ContentIndex | undefined {
    return this.content.current;
  }

  private rebuildContent(): void {
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer.timer);
    this.rebuildTimer = undefined;
    this.content.rebuild(this.schema ? { schema: this.schema, items: [...this.items.values()] } : { items: [...this.items.values()] });
  }

  /**
   * A full rebuild costs about 10 µs of CPU per item (~1 s at 100,000; a one-item patch ~0.2
   * ms): changes arriving in a burst (an import in batches, schema widening, many deletions)
   * share one, REBUILD_QUIET_MS after the last of them but no later than REBUILD_MAX_WAIT_MS
   * after the first. Items of batches small enough to patch are found at once meanwhile.
   */
  private scheduleRebuild(): void {
    const now = this.clock();
    const due = this.rebuildTimer?.due ?? now + REBUILD_MAX_WAIT_MS;
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer.timer);
    const timer = setTimeout(
      () => {
        this.rebuildContent();
        // cached lists were computed with the old index
        this.revision++;
      },
      Math.max(0, Math.min(REBUILD_QUIET_MS, due - now)),
    );
    timer.unref();
    this.rebuildTimer = { timer, due };
  }

  get size(): number {
    return this.items.size;
  }

  /** Newest available items (the pipeline's new-arrivals index), rebuilt when the catalogue changes. */
  newArrivals(): NewArrivalsIndex {
    if (this.arrivals?.revision !== this.revision) {
      const items: CatalogItem[] = [];
      for (const c of this.items.values()) items.push({ id: c.id, index: -1, properties: c.properties, available: c.available, createdAt: c.createdAt });
      this.arrivals = { revision: this.revision, index: buildNewArrivalsIndex(items) };
    }
    return this.arrivals.index;
  }

  /** The catalogue aligned with `modelItems` (the serving model's item ids); memoized. */
  view(modelItems: IdMap | undefined): CatalogView {
    const m = this.memo;
    if (m && m.revision === this.revision && m.map === modelItems) return m.view;
    const view = buildView(this.items, this.removed, modelItems);
    this.memo = { revision: this.revision, map: modelItems, view };
    return view;
  }
}

/** Catalogues up to this size rebuild the content index in the change handler (a few ms). */
const SYNC_REBUILD_ITEMS = 2_000;
const REBUILD_QUIET_MS = 200;
const REBUILD_MAX_WAIT_MS = 1_000;

function cached(r: ItemRecord): CachedItem {
  return { id: r.id, properties: Object.freeze({ ...r.properties }), available: r.available, createdAt: r.createdAt };
}

function buildView(items: Map<string, CachedItem>, removed: Set<string>, modelItems: IdMap | undefined): CatalogView {
  const size = modelItems?.size ?? 0;
  const byIndex: Array<CatalogItem | undefined> = new Array(size);
  const byId = new Map<string, CatalogItem>();
  for (let i = 0; i < size; i++) {
    const id = (modelItems as IdMap).id(i);
    if (removed.has(id)) continue;
    const c = items.get(id);
    const item: CatalogItem = c
      ? { id, index: i, properties: c.properties, available: c.available, createdAt: c.createdAt }
      : { id, index: i, properties: NO_PROPERTIES, available: true };
    byIndex[i] = item;
    byId.set(id, item);
  }
  for (const c of items.values()) {
    if (byId.has(c.id)) continue;
    byId.set(c.id, { id: c.id, index: -1, properties: c.properties, available: c.available, createdAt: c.createdAt });
  }
  return {
    modelSize: size,
    byIndex: (index) => byIndex[index],
    byId: (id) => byId.get(id),
    all: () => byId.values(),
  };
}
