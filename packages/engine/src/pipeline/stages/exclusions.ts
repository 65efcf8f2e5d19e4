import { categoriesOf } from '../../retrieval/types.ts';
import type { CatalogView, UserProfile } from '../types.ts';

/** Feedback that removes an item (or its category) at once. */
export const NEGATIVE_TYPES = new Set(['not-interested', 'dislike', 'hide-category']);

export interface Exclusions {
  /** never shown: request excludes, dislikes, not-interested, hidden categories */
  hard(itemId: string): boolean;
  /** already consumed (history); recently-viewed candidates may still show these */
  seen(itemId: string): boolean;
}

/** Builds the per-request exclusion sets from the request, the history and the preferences. */
export function buildExclusions(user: UserProfile | undefined, catalog: CatalogView, exclude: readonly string[], categoryProperty: string, excludeSeen: boolean): Exclusions {
  const items = new Set<string>(exclude);
  const categories = new Set<string>(user?.preferences.hiddenCategories ?? []);
  for (const id of user?.preferences.dislikedItems ?? []) items.add(id);
  const seen = new Set<string>();
  for (const e of user?.history ?? []) {
    if (NEGATIVE_TYPES.has(e.type)) {
      items.add(e.itemId);
      if (e.type === 'hide-category') for (const c of categoriesOf(catalog.byId(e.itemId), categoryProperty)) categories.add(c);
    } else if (excludeSeen) seen.add(e.itemId);
  }
  return {
    hard(id) {
      if (items.has(id)) return true;
      if (categories.size === 0) return false;
      for (const c of categoriesOf(catalog.byId(id), categoryProperty)) if (categories.has(c)) return true;
      return false;
    },
    seen: (id) => seen.has(id),
  };
}
