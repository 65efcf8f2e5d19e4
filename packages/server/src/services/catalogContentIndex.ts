import { buildContentIndex, type ContentIndex, type PropertyValue } from '@attune/engine';
import { ordinalOf, tokenize } from '@attune/engine/retrieval/content';
import { contentPlanOf, type CatalogData, type CatalogEntry, type ContentPlan } from './training/catalogIndexes.ts';

/**
 * The serving content index, kept current with the catalogue: a full build from the cached
 * catalogue (start, schema changes, many changes at once) and, in between, a cheap patch per
 * change, so an item PUT a moment ago is found by content similarity at once and a deleted one
 * drops out. A patch appends the item under a new ordinal (postings newest first) and turns its
 * old ordinal, if any, into a tombstone with no features; existing items keep the weights of the
 * last full build, a new item is weighed with the document frequencies as they are now.
 */
export class LiveContentIndex {
  private index: ContentIndex | undefined;
  private plan: ContentPlan = { options: {} };
  private featureIds = new Map<string, number>();
  private live = 0;
  private tombstones = 0;

  /** The index to serve, undefined for an empty catalogue. */
  get current(): ContentIndex | undefined {
    return this.index;
  }

  /** Builds the index over the whole catalogue (schema-driven property kinds, see catalogIndexes.ts). */
  rebuild(data: CatalogData): void {
    if (data.items.length === 0) {
      this.index = undefined;
      this.live = this.tombstones = 0;
      return;
    }
    this.plan = contentPlanOf(data);
    const index = buildContentIndex(
      data.items.map((it) => ({ id: it.id, index: -1, properties: it.properties, available: it.available, createdAt: it.createdAt })),
      this.plan.options,
    );
    this.featureIds = new Map(index.features.map((f, k) => [f, k]));
    this.live = index.ids.length;
    this.tombstones = 0;
    this.publish(index);
  }

  /**
   * Applies changed items (present: added or replaced) and deleted ids. Returns false when the
   * patch was not applied because a full rebuild is due (no index yet, or tombstones over a
   * quarter of the index): the caller rebuilds.
   */
  patch(changed: readonly CatalogEntry[], deleted: readonly string[]): boolean {
    const prev = this.index;
    if (!prev || this.tombstones + changed.length + deleted.length > Math.max(64, this.live / 4)) return false;
    const next: ContentIndex = {
      ...prev,
      ids: [...prev.ids],
      features: [...prev.features],
      itemFeatures: [...prev.itemFeatures],
      itemWeights: [...prev.itemWeights],
      postings: [...prev.postings],
      postingWeights: [...prev.postingWeights],
      numeric: Object.fromEntries(Object.entries(prev.numeric).map(([p, v]) => [p, { ...v, values: [...v.values] }])),
      vectors: [...prev.vectors],
    };
    for (const id of [...deleted, ...changed.map((c) => c.id)]) this.bury(next, prev, id);
    for (const item of changed) this.append(next, item);
    this.publish(next);
    return true;
  }

  private bury(next: ContentIndex, prev: ContentIndex, id: string): void {
    const o = ordinalOf(prev, id);
    if (o === undefined || next.ids[o] !== id) return;
    // the ordinal stays but names no item, shares nothing and leaves every posting list
    for (const f of prev.itemFeatures[o] ?? []) {
      const at = (next.postings[f] as number[]).indexOf(o);
      if (at < 0) continue;
      next.postings[f] = (next.postings[f] as number[]).filter((_, k) => k !== at);
      next.postingWeights[f] = (next.postingWeights[f] as number[]).filter((_, k) => k !== at);
    }
    next.ids[o] = '';
    next.itemFeatures[o] = [];
    next.itemWeights[o] = [];
    next.vectors[o] = null;
    for (const v of Object.values(next.numeric)) v.values[o] = null;
    this.live--;
    this.tombstones++;
  }

  private append(next: ContentIndex, item: CatalogEntry): void {
    const o = next.ids.length;
    const tf = new Map<number, number>();
    const add = (name: string): void => {
      let f = this.featureIds.get(name);
      if (f === undefined) {
        f = next.features.length;
        this.featureIds.set(name, f);
        next.features.push(name);
        next.postings.push([]);
        next.postingWeights.push([]);
      }
      tf.set(f, (tf.get(f) ?? 0) + 1);
    };
    const opts = this.plan.options;
    for (const p of opts.categorical ?? []) for (const v of values(item.properties[p])) add(`${p}=${v}`);
    for (const p of opts.text ?? []) for (const v of values(item.properties[p])) for (const t of tokenize(v)) add(`${p}~${t}`);
    const n = this.live + 1;
    const fs = [...tf.keys()].sort((a, b) => a - b);
    // idf as buildContentIndex computes it, with this item counted in
    const ws = fs.map((f) => (1 + Math.log(tf.get(f) as number)) * Math.log(1 + n / ((next.postings[f] as number[]).length + 1)));
    const norm = Math.hypot(...ws) || 1;
    for (let k = 0; k < fs.length; k++) {
      const f = fs[k] as number;
      ws[k] = (ws[k] as number) / norm;
      // copy-on-write: the previous index object keeps its postings; newest first
      next.postings[f] = [o, ...(next.postings[f] as number[])];
      next.postingWeights[f] = [ws[k] as number, ...(next.postingWeights[f] as number[])];
    }
    next.ids.push(item.id);
    next.itemFeatures.push(fs);
    next.itemWeights.push(ws);
    for (const [p, v] of Object.entries(next.numeric)) {
      const x = item.properties[p];
      const num = typeof x === 'number' ? x : null;
      v.values.push(num);
      if (num !== null) {
        // min = max = 0 is also what an index without any value holds: check only then
        const first = v.min === 0 && v.max === 0 && v.values.every((y, k) => k === o || y === null);
        v.min = first ? num : Math.min(v.min, num);
        v.max = first ? num : Math.max(v.max, num);
      }
    }
    next.vectors.push(this.vectorOf(item, next.dim));
    this.live++;
  }

  private vectorOf(item: CatalogEntry, dim: number): number[] | null {
    const p = this.plan.vectorProperty;
    const v = p === undefined ? undefined : item.properties[p];
    if (!Array.isArray(v) || v.length === 0 || v.length !== dim || typeof v[0] !== 'number') return null;
    const arr = v as number[];
    const norm = Math.hypot(...arr) || 1;
    return arr.map((x) => x / norm);
  }

  private publish(index: ContentIndex): void {
    // build the id → ordinal map now, off the request path, rather than in the next request
    ordinalOf(index, '');
    this.index = index;
  }
}

function values(v: PropertyValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}
