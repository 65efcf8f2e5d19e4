import { ownValue, userKeyedRecord, type CatalogView, type PopularityIndex } from '@attune/engine';

/** Items kept per category, as the engine's popularity index keeps per list. */
const TOP_K = 500;

/**
 * Fills the popularity index's per-category lists from the catalogue when training left them
 * empty (the trainer sees events, not item properties). The preferences retriever reads them:
 * without them a stated "liked category" retrieves nothing. Memoized on the identities of the
 * index and the catalogue view, which change only on a model swap or a catalogue change.
 */
export class CategoryPopularity {
  private memo: { pop: PopularityIndex | undefined; catalog: CatalogView; out: PopularityIndex } | undefined;

  constructor(private readonly property = 'category') {}

  apply(pop: PopularityIndex | undefined, catalog: CatalogView): PopularityIndex {
    if (pop && Object.keys(pop.categories).length > 0) return pop;
    if (this.memo && this.memo.pop === pop && this.memo.catalog === catalog) return this.memo.out;
    const counts = pop?.counts ?? {};
    const byCategory = new Map<string, Array<[string, number]>>();
    for (const item of catalog.all()) {
      if (!item.available) continue;
      const v = ownValue(item.properties, this.property);
      const cats = typeof v === 'string' ? [v] : Array.isArray(v) ? v.map(String) : [];
      for (const c of cats) {
        let list = byCategory.get(c);
        if (!list) byCategory.set(c, (list = []));
        list.push([item.id, ownValue(counts, item.id) ?? 0]);
      }
    }
    const categories = userKeyedRecord<Array<[string, number]>>();
    for (const [c, list] of [...byCategory].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      categories[c] = list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, TOP_K);
    }
    const out: PopularityIndex = pop ? { ...pop, categories } : { version: 1, counts: {}, maxCount: 0, global: [], segments: {}, categories };
    this.memo = { pop, catalog, out };
    return out;
  }
}
