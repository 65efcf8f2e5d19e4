import type { Reason } from '../pipeline/types.ts';
import { contentScores } from './content.ts';
import { takeRanked, type Retrieved, type RetrievalQuery } from './types.ts';
import { ownValue } from '../data/ownValue.ts';

/**
 * What the user told us: popular items of liked categories (from the popularity index, else
 * the content index's category postings) and items like the liked items. Works from the very
 * first request, before any event.
 *
 * Scores are by rank within each stated preference, 1 for the best item of every liked
 * category and of the liked items, falling to ½ at the end of its share: the raw scores of
 * the sources (event counts of one category, content cosines of the liked items) mean nothing
 * next to each other or next to the other retrievers, and a small liked category must not lose
 * to a big one because its best seller has fewer events. The lists are interleaved, so the
 * best of every preference comes first.
 */
export function retrievePreferences(query: RetrievalQuery, n: number): Retrieved[] {
  const prefs = query.inputs.user?.preferences;
  if (!prefs) return [];
  const cats = prefs.likedCategories ?? [];
  const liked = prefs.likedItems ?? [];
  const per = Math.max(1, Math.ceil(n / Math.max(1, cats.length + (liked.length ? 1 : 0))));
  const pop = query.indexes.popularity;
  const content = query.indexes.content;
  // the liked items themselves are what the user already knows: retrieve around them
  const likedSet = new Set(liked);
  const q: RetrievalQuery = likedSet.size === 0 ? query : { ...query, isExcluded: (id) => likedSet.has(id) || query.isExcluded(id) };
  const lists: Retrieved[][] = [];
  for (const cat of cats) {
    const reason = (): Reason => ({ type: 'because-you-liked-category', text: `Because you like ${cat}`, value: cat });
    const list = pop ? ownValue(pop.categories, cat) : undefined;
    if (list) lists.push(takeRanked(q, list, per, reason));
    else if (content) {
      const f = content.features.indexOf(`${query.categoryProperty}=${cat}`);
      if (f >= 0) lists.push(takeRanked(q, content.postings[f].map((o) => [content.ids[o], 1] as const), per, reason));
    }
  }
  if (liked.length > 0 && content) {
    const ranked = contentScores(content, new Map(liked.map((id) => [id, 1])), per * 2 + 20);
    lists.push(takeRanked(q, ranked, per, () => ({ type: 'because-you-said', text: 'Like items you said you like', itemIds: liked.slice(0, 3) })));
  }
  const out: Retrieved[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let k = 0; k < longest; k++) {
    for (const list of lists) {
      const r = list[k];
      if (r) out.push({ ...r, score: 1 - (0.5 * k) / per });
    }
  }
  return out;
}
