import type { ListOptions, RecommendationResponse, RecommendationService } from '../recommendations.ts';
import type { ImpressionLog } from './impressionLog.ts';
import { pageRequestOf, type ChainPosition } from './replay.ts';

/**
 * The next page of a recommendation: the same request (surface, user, scenario, knobs,
 * context and the first page's time, so exploration draws the same seed) run again with every
 * item shown so far in the chain excluded. Nothing shown repeats, and the same state gives the
 * same page. The request comes from the recommendation log, so any node can answer, also after
 * a restart. The new page has its own recommendationId (logged like any list) and can be paged
 * on in turn. Undefined when the id is unknown or its list cannot be paged.
 */
export async function nextPage(recommender: RecommendationService, log: ImpressionLog, recommendationId: string, n: number | undefined): Promise<RecommendationResponse | undefined> {
  const prev = await log.find(recommendationId);
  const request = prev && pageRequestOf(prev.request, prev.timestamp);
  if (!prev || !request) return undefined;
  const { replay } = request;
  const shownList = [...(request.shownBefore ?? []), ...prev.itemIds];
  const shown = new Set(shownList);
  const chain: ChainPosition = { firstId: prev.firstId, page: prev.page + 1, shownBefore: shownList, replay };
  const opts: ListOptions = { ...replay.opts, n: n ?? replay.opts.n, exclude: [...new Set([...(replay.opts.exclude ?? []), ...shownList])], chain };
  switch (replay.surface) {
    case 'user':
      return recommender.forUser(replay.userId as string, opts);
    case 'similar':
      return recommender.similar(replay.itemId as string, { ...opts, ...(replay.userId ? { userId: replay.userId } : {}) });
    case 'session':
      return recommender.session(replay.itemIds ?? [], opts);
    case 'popular':
      return recommender.popular(opts);
    case 'trending':
      return recommender.trending(opts);
    case 'rerank':
      // the caller's list minus what was shown: the page continues down the same list
      return recommender.rerank(replay.userId as string, (replay.itemIds ?? []).filter((id) => !shown.has(id)), { ...opts, exclude: replay.opts.exclude ?? [] });
  }
}
