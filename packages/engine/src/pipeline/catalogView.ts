import type { CatalogItem, CatalogView } from './types.ts';

/** An in-memory CatalogView over a list of items (tests, benchmarks, the browser build). */
export function memoryCatalog(items: readonly CatalogItem[], modelSize?: number): CatalogView {
  const byId = new Map<string, CatalogItem>();
  const byIndex: CatalogItem[] = [];
  let max = -1;
  for (const it of items) {
    byId.set(it.id, it);
    if (it.index >= 0) {
      byIndex[it.index] = it;
      if (it.index > max) max = it.index;
    }
  }
  return {
    modelSize: modelSize ?? max + 1,
    byIndex: (i) => byIndex[i],
    byId: (id) => byId.get(id),
    all: () => items,
  };
}
