import type { ListOptions } from '../recommendations.ts';

/** Which service call produced a list: enough to run it again for the next page. */
export type ReplaySurface = 'user' | 'similar' | 'session' | 'popular' | 'trending' | 'rerank';

export interface RecommendationReplay {
  surface: ReplaySurface;
  userId?: string;
  /** the page's item (similar) */
  itemId?: string;
  /** the session's items, or the caller's candidates (rerank) */
  itemIds?: readonly string[];
  /**
   * the request's options, with `now` fixed to the first page's time; without `now` when that
   * is the logged list's own timestamp (a list from the list cache shares its options object)
   */
  opts: ListOptions;
}

/**
 * What a recommendation-log row keeps to serve the list's next page (ShownList.request): the
 * request, and the items earlier pages of the chain showed (with the row's own items, everything
 * the next page must not repeat). JSON: it lives in the store, so any node can page on.
 */
export interface PageRequest {
  replay: RecommendationReplay;
  /** items shown by the chain's earlier pages, in order */
  shownBefore?: readonly string[];
}

/** Where a list sits in its chain of pages; set on the options of a next page's request. */
export interface ChainPosition {
  firstId: string;
  page: number;
  /** every item the chain showed before this page: the page leaves them out */
  shownBefore: readonly string[];
  /** the chain's first request, logged again for this page (not the widened one that ran) */
  replay: RecommendationReplay;
}

const SURFACES: ReadonlySet<string> = new Set<ReplaySurface>(['user', 'similar', 'session', 'popular', 'trending', 'rerank']);

/**
 * The PageRequest of a stored row, its replay's `now` filled in from the row's timestamp where
 * the replay leaves it out; undefined for rows that cannot be paged (migrated legacy lists,
 * foreign data).
 */
export function pageRequestOf(request: unknown, timestamp: number): PageRequest | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const r = request as Partial<PageRequest>;
  const replay = r.replay;
  if (typeof replay !== 'object' || replay === null || !SURFACES.has(replay.surface) || typeof replay.opts !== 'object' || replay.opts === null) return undefined;
  const now = replay.opts.now ?? timestamp;
  if (typeof now !== 'number' || !Number.isFinite(now)) return undefined;
  return { ...(r as PageRequest), replay: { ...replay, opts: { ...replay.opts, now } } };
}
