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
  /** the request's options, with `now` fixed to the first page's time */
  opts: ListOptions & { now: number };
}

export interface RememberedRequest extends RecommendationReplay {
  /** every item shown so far in this chain of pages, in order */
  shown: readonly string[];
  /** 1 for the first list, 2 for the first /next … */
  page: number;
  /** the first page's recommendationId */
  firstId: string;
}

/**
 * The requests behind recent recommendation ids, for `GET /v1/recommendations/{id}/next`:
 * in memory, newest first kept (Map insertion order is the eviction order) within two budgets:
 * `capacity` requests and `maxIds` item ids held across them (a re-ranked list holds up to
 * 1,000). Paging is a browsing affordance: an id evicted, or from before a restart, answers 404
 * and the client starts a fresh list.
 */
export class RequestMemory {
  private readonly requests = new Map<string, RememberedRequest>();
  private ids = 0;

  constructor(
    private readonly capacity = 100_000,
    private readonly maxIds = 2_000_000,
  ) {}

  remember(recommendationId: string, request: RememberedRequest): void {
    this.drop(recommendationId);
    this.requests.set(recommendationId, request);
    this.ids += weight(request);
    while (this.requests.size > this.capacity || (this.ids > this.maxIds && this.requests.size > 1)) this.drop(this.requests.keys().next().value as string);
  }

  private drop(recommendationId: string): void {
    const old = this.requests.get(recommendationId);
    if (!old) return;
    this.requests.delete(recommendationId);
    this.ids -= weight(old);
  }

  get(recommendationId: string): RememberedRequest | undefined {
    return this.requests.get(recommendationId);
  }

  forget(userId: string): void {
    for (const [id, r] of this.requests) if (r.userId === userId) this.drop(id);
  }
}

function weight(r: RememberedRequest): number {
  return 1 + r.shown.length + (r.itemIds?.length ?? 0) + (r.opts.exclude?.length ?? 0);
}
