import type { RecommendationResponse, RecommendationService } from '../recommendations.ts';
import type { RequestMemory } from './requestMemory.ts';

/**
 * The next page of a recommendation: the same request (surface, user, scenario, knobs,
 * context and the first page's time, so exploration draws the same seed) run again with every
 * item shown so far in the chain excluded. Nothing shown repeats, and the same state gives the
 * same page. The new page has its own recommendationId (its impression is logged like any
 * list) and can be paged on in turn. Undefined when the id is unknown or forgotten.
 */
export async function nextPage(recommender: RecommendationService, memory: RequestMemory, recommendationId: string, n: number): Promise<RecommendationResponse | undefined> {
  const prev = memory.get(recommendationId);
  if (!prev) return undefined;
  const shown = new Set(prev.shown);
  const opts = { ...prev.opts, n, exclude: [...new Set([...(prev.opts.exclude ?? []), ...prev.shown])] };
  let res: RecommendationResponse | undefined;
  switch (prev.surface) {
    case 'user':
      res = await recommender.forUser(prev.userId as string, opts);
      break;
    case 'similar':
      res = await recommender.similar(prev.itemId as string, { ...opts, ...(prev.userId ? { userId: prev.userId } : {}) });
      break;
    case 'session':
      res = await recommender.session(prev.itemIds ?? [], opts);
      break;
    case 'popular':
      res = await recommender.popular(opts);
      break;
    case 'trending':
      res = await recommender.trending(opts);
      break;
    case 'rerank':
      // the caller's list minus what was shown: the page continues down the same list
      res = await recommender.rerank(prev.userId as string, (prev.itemIds ?? []).filter((id) => !shown.has(id)), { ...opts, exclude: prev.opts.exclude ?? [] });
      break;
  }
  if (!res) return undefined;
  // belt and braces: the exclusions above already keep shown items out of every surface
  const items = res.items.filter((i) => !shown.has(i.itemId));
  const page = { ...res, items };
  memory.remember(res.recommendationId, { ...prev, shown: [...prev.shown, ...items.map((i) => i.itemId)], page: prev.page + 1, firstId: prev.firstId });
  return page;
}
