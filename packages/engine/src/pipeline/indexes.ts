import type { AssociationIndex } from '../retrieval/associations.ts';
import type { ContentIndex } from '../retrieval/content.ts';
import type { NewArrivalsIndex } from '../retrieval/newArrivals.ts';
import type { PopularityIndex } from '../retrieval/popularity.ts';
import type { TrendingIndex } from '../retrieval/trending.ts';
import type { ContextModel } from './context/contextModel.ts';

/** Impressions and engagements of one item in recommendations, for exploration. */
export interface EngagementStats {
  impressions: number;
  engagements: number;
}

/**
 * Precomputed, serializable (plain JSON) structures the server builds from its stores off the
 * request path and passes to every request. Each one is optional: a retriever or stage whose
 * index is missing contributes nothing.
 */
export interface PipelineIndexes {
  /** buildAssociationIndex(events): also-bought / bought-together */
  associations?: AssociationIndex;
  /** buildPopularityIndex(events): popular, popular in segment / category, novelty */
  popularity?: PopularityIndex;
  /** buildTrendingIndex(events): trending */
  trending?: TrendingIndex;
  /** buildNewArrivalsIndex(catalog.all()): new arrivals, exploration of new items */
  newArrivals?: NewArrivalsIndex;
  /** buildContentIndex(catalog.all(), options): content retrieval, diversity similarity */
  content?: ContentIndex;
  /** fitContextModel(events): context-aware re-ranking */
  context?: ContextModel;
  /** per item id: impressions / engagements in recommendations (exploration) */
  engagement?: Readonly<Record<string, EngagementStats>>;
}
