import { ownValue, buildContentIndex, type ContentIndex, type PropertyValue } from '@attune/engine';
import { noteOrdinal, ordinalOf, tokenize } from '@attune/engine/retrieval/content';
import { contentPlanOf, type CatalogData, type CatalogEntry, type ContentPlan } from './training/catalogIndexes.ts';

/**
 * The serving content index, kept current with the catalogue: a full build from the cached
 * catalogue (start, schema changes, many deletions) and, in between, a patch per change, so an
 * item PUT a moment ago is found by content similarity at once and a deleted one drops out.
 *
 * Patches change the index in place, costing the posting lists of the item's features rather
 * than the catalogue (copying a 100,000-item index per write cost ~60 ms of CPU): requests read
 * the index synchronously inside one pipeline run, so none sees a half-applied patch. A
 * changed item keeps its ordinal (off its old features' postings, onto the new ones' fronts:
 * postings are newest first); a new item is appended; a deleted item's ordinal becomes a
 * featureless tombstone, reused if the id comes back. Existing items keep the weights of the
 * last full build; a patched item is weighed with the document frequencies as they are now.
 */
export class LiveContentIndex {
  private index: ContentIndex | undefined;
  private plan: ContentPlan = { options: {} };
  private featureIds = new Map<string, number>();
  private ordinals = new Map<string, number>();
  private live = 0;
  private tombstones = 0;

  /** The index to serve, undefined for an empty catalogue. */
  get current(): ContentIndex | undefined {
    return this.index;
  }

  /** Builds the index over the whole catalogue (schema-driven property kinds, see catalogIndexes.ts). */
  rebuild(data: CatalogData): void {
    this.tombstones = 0;
    if (data.items.length === 0) {
      this.index = undefined;
      this.live = 0;
      return;
    }
    this.plan = contentPlanOf(data);
    const index = buildContentIndex(
      data.items.map((it) => ({ id: it.id, index: -1, properties: it.properties, available: it.available, createdAt: it.createdAt })),
      this.plan.options,
    );
    this.featureIds = new Map(index.features.map((f, k) => [f, k]));
    this.ordinals = new Map(index.ids.map((id, o) => [id, o]));
    this.live = index.ids.length;
    // build the engine's id → ordinal memo now, off the request path
    ordinalOf(index, '');
    this.index = index;
  }

  /**
   * Applies changed items (added or replaced) and deleted ids. Returns false, leaving the index
   * as it was, when a full rebuild is the cheaper way: no index yet, or a batch larger than a
   * twentieth of the catalogue (each patched item moves its features' posting lists).
   */
  patch(changed: readonly CatalogEntry[], deleted: readonly string[]): boolean {
    const index = this.index;
    if (!index || changed.length + deleted.length > Math.max(64, this.live / 20)) return false;
    const gone = deleted.filter((id) => this.ordinals.has(id) && index.ids[this.ordinals.get(id) as number] === id);
    for (const id of gone) {
      const o = this.ordinals.get(id) as number;
      this.clear(index, o);
      index.ids[o] = '';
      this.live--;
      this.tombstones++;
    }
    for (const item of changed) this.put(index, item);
    return true;
  }

  /** Tombstones pass a quarter of the live items: time for a full rebuild. */
  get rebuildDue(): boolean {
    return this.tombstones > Math.max(64, this.live / 4);
  }

  /** Takes ordinal `o` off every posting list and empties its features. */
  private clear(index: ContentIndex, o: number): void {
    for (const f of index.itemFeatures[o] ?? []) {
      const post = index.postings[f] as number[];
      const at = post.indexOf(o);
      if (at < 0) continue;
      post.splice(at, 1);
      (index.postingWeights[f] as number[]).splice(at, 1);
    }
    index.itemFeatures[o] = [];
    index.itemWeights[o] = [];
    index.vectors[o] = null;
    for (const v of Object.values(index.numeric)) v.values[o] = null;
  }

  private put(index: ContentIndex, item: CatalogEntry): void {
    let o = this.ordinals.get(item.id);
    if (o !== undefined && index.ids[o] === item.id) this.clear(index, o);
    else {
      if (o !== undefined) this.tombstones--;
      else {
        o = index.ids.length;
        index.ids.push('');
        index.itemFeatures.push([]);
        index.itemWeights.push([]);
        index.vectors.push(null);
        for (const v of Object.values(index.numeric)) v.values.push(null);
        this.ordinals.set(item.id, o);
      }
      index.ids[o] = item.id;
      noteOrdinal(index, item.id, o);
      this.live++;
    }
    const tf = new Map<number, number>();
    const add = (name: string): void => {
      let f = this.featureIds.get(name);
      if (f === undefined) {
        f = index.features.length;
        this.featureIds.set(name, f);
        index.features.push(name);
        index.postings.push([]);
        index.postingWeights.push([]);
      }
      tf.set(f, (tf.get(f) ?? 0) + 1);
    };
    const opts = this.plan.options;
    for (const p of opts.categorical ?? []) for (const v of values(ownValue(item.properties, p))) add(`${p}=${v}`);
    for (const p of opts.text ?? []) for (const v of values(ownValue(item.properties, p))) for (const t of tokenize(v)) add(`${p}~${t}`);
    const fs = [...tf.keys()].sort((a, b) => a - b);
    // idf as buildContentIndex computes it, with this item counted in
    const ws = fs.map((f) => (1 + Math.log(tf.get(f) as number)) * Math.log(1 + this.live / ((index.postings[f] as number[]).length + 1)));
    const norm = Math.hypot(...ws) || 1;
    for (let k = 0; k < fs.length; k++) {
      const f = fs[k] as number;
      ws[k] = (ws[k] as number) / norm;
      (index.postings[f] as number[]).unshift(o);
      (index.postingWeights[f] as number[]).unshift(ws[k] as number);
    }
    index.itemFeatures[o] = fs;
    index.itemWeights[o] = ws;
    for (const [p, v] of Object.entries(index.numeric)) {
      const x = ownValue(item.properties, p);
      if (typeof x !== 'number') continue;
      // min = max = 0 is also what an index without any value holds: look only then
      const first = v.min === 0 && v.max === 0 && v.values.every((y, k) => k === o || y === null);
      v.values[o] = x;
      v.min = first ? x : Math.min(v.min, x);
      v.max = first ? x : Math.max(v.max, x);
    }
    index.vectors[o] = this.vectorOf(item, index.dim);
  }

  private vectorOf(item: CatalogEntry, dim: number): number[] | null {
    const p = this.plan.vectorProperty;
    const v = p === undefined ? undefined : ownValue(item.properties, p);
    if (!Array.isArray(v) || v.length === 0 || v.length !== dim || typeof v[0] !== 'number') return null;
    const arr = v as number[];
    const norm = Math.hypot(...arr) || 1;
    return arr.map((x) => x / norm);
  }
}

function values(v: PropertyValue | undefined): string[] {
  if (v === null || v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}
