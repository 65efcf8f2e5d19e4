import { contentScores } from './content.ts';
import { takeRanked, type Retrieved, type RetrievalQuery } from './types.ts';

/**
 * What the user told us: popular items of liked categories (from the popularity index, else
 * the content index's category postings) and items like the liked items. Works from the very
 * first request, before any event.
 */
export function retrievePreferences(query: RetrievalQuery, n: number): Retrieved[] {
  const prefs = query.inputs.user?.preferences;
  if (!prefs) return [];
  const out: Retrieved[] = [];
  const cats = prefs.likedCategories ?? [];
  const per = Math.max(1, Math.ceil(n / Math.max(1, cats.length + (prefs.likedItems?.length ? 1 : 0))));
  const pop = query.indexes.popularity;
  const content = query.indexes.content;
  for (const cat of cats) {
    const reason = () => ({ type: 'because-you-liked-category' as const, text: `Because you like ${cat}`, value: cat });
    const list = pop?.categories[cat];
    if (list) out.push(...takeRanked(query, list, per, reason));
    else if (content) {
      const f = content.features.indexOf(`${query.categoryProperty}=${cat}`);
      if (f >= 0) out.push(...takeRanked(query, content.postings[f].map((o) => [content.ids[o], 1] as const), per, reason));
    }
  }
  const liked = prefs.likedItems ?? [];
  if (liked.length > 0 && content) {
    const ranked = contentScores(content, new Map(liked.map((id) => [id, 1])), per * 2 + 20);
    out.push(...takeRanked(query, ranked, per, () => ({ type: 'because-you-said', text: 'Like items you said you like', itemIds: liked.slice(0, 3) })));
  }
  return out;
}
