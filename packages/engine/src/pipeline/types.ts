import type { Recommender } from '../models/model.ts';
import type { PipelineIndexes } from './indexes.ts';
import type { RuleEngine } from './stages/rules.ts';

/**
 * The plain-data contract between the I/O shell and the recommendation pipeline. The server
 * (or a browser) fills these from its stores; the pipeline never does I/O and takes `now` from
 * the request context.
 */

export type PropertyValue = string | number | boolean | string[] | number[] | null;

export interface CatalogItem {
  id: string;
  /** dense index in the serving model's item id map, or -1 when the model has not seen it */
  index: number;
  properties: Readonly<Record<string, PropertyValue>>;
  available: boolean;
  /** epoch ms */
  createdAt?: number;
}

/** Read access to the catalogue, by model index and by id. */
export interface CatalogView {
  /** number of model item indices (items the model can score) */
  readonly modelSize: number;
  byIndex(index: number): CatalogItem | undefined;
  byId(id: string): CatalogItem | undefined;
  /** every item, including ones the model has not seen (new arrivals) */
  all(): Iterable<CatalogItem>;
}

export interface UserEventRecord {
  itemId: string;
  type: string;
  /** epoch ms */
  timestamp: number;
  value?: number;
  recommendationId?: string;
}

export interface UserPreferences {
  likedCategories?: string[];
  likedItems?: string[];
  dislikedItems?: string[];
  hiddenCategories?: string[];
}

export interface UserProfile {
  id: string;
  /** dense user index in the serving model, or -1 for users it has not seen */
  index: number;
  attributes: Readonly<Record<string, PropertyValue>>;
  /** recent events, oldest first */
  history: readonly UserEventRecord[];
  preferences: UserPreferences;
  /** item ids the user recently saw in recommendations without engaging (for rotation) */
  recentImpressions?: readonly { itemId: string; timestamp: number }[];
}

/** Request context: time always comes from here (epoch ms); other fields are open. */
export interface RequestContext {
  now: number;
  timezone?: string;
  device?: string;
  country?: string;
  locale?: string;
  [field: string]: unknown;
}

export const REASON_TYPES = [
  'similar-to',
  'bought-together',
  'popular-in-segment',
  'trending',
  'because-you-liked-category',
  'new-arrival',
  'exploration',
  'promoted',
  'fallback',
  'context',
  'personalized',
  'recently-viewed',
  'content-similar',
  'because-you-said',
] as const;
export type ReasonType = (typeof REASON_TYPES)[number];

export interface Reason {
  type: ReasonType;
  text: string;
  /** items of the user's history (or the current item) this reason points at */
  itemIds?: string[];
  /** e.g. the category or segment value */
  value?: string;
}

/** One candidate as it moves through the stages, carrying its score parts and reasons. */
export interface Candidate {
  item: CatalogItem;
  score: number;
  /** contribution of each stage / source to `score`, for ?explain=true */
  parts: Record<string, number>;
  reasons: Reason[];
  /** which retrievers produced it */
  sources: string[];
}

/** Everything the pipeline may read for one request. */
export interface PipelineInputs {
  model?: Recommender;
  catalog: CatalogView;
  user?: UserProfile;
  context: RequestContext;
  /** precomputed indexes (associations, popularity, trending, content, context model, engagement) */
  indexes?: PipelineIndexes;
  /** the rules language (default: the engine's rules/ compiler without a schema) */
  rules?: RuleEngine;
}

export interface RecommendationResult {
  /** explain: the score parts of each stage (retrieve:*, relevance, objective:*, context, boost, rotation, exploration, diversity, promoted, stated, fallback:*) and the final score */
  items: Array<{ itemId: string; score: number; reasons: Reason[]; explain?: Record<string, number> }>;
  /** the scenario that ran */
  scenario?: string;
  /** with explain: candidate counts after each stage */
  trace?: Record<string, number>;
}
