/**
 * A scenario is a named, validated configuration of the pipeline stages: which retrievers feed
 * candidates, which rules filter and boost them, and the re-ranking knobs. Plain JSON, so it
 * can live in a config file or a database and be validated at the edge.
 */

export const RETRIEVER_TYPES = [
  'collaborative',
  'similar',
  'also-bought',
  'bought-together',
  'trending',
  'new-arrivals',
  'recently-viewed',
  'content',
  'preferences',
  'popular',
  'popular-in-segment',
] as const;
export type RetrieverType = (typeof RETRIEVER_TYPES)[number];

export interface RetrieverSpec {
  type: RetrieverType;
  /** candidates asked of this retriever (default: the scenario's knobs.candidates / retrievers) */
  n?: number;
  /** weight of this retriever's normalized score in relevance (default 1) */
  weight?: number;
}

export const FALLBACK_TYPES = ['popular-in-segment', 'trending', 'popular'] as const;
export type FallbackType = (typeof FALLBACK_TYPES)[number];

export interface PinPromotion {
  type: 'pin';
  itemId: string;
  /** 0-based position in the returned list */
  slot: number;
  label?: string;
}

export interface RulePromotion {
  type: 'rule';
  /** a filter rule selecting the promoted items */
  rule: string;
  /** fraction of the slots filled from matching items (0–1) */
  share: number;
  label?: string;
}

export type Promotion = PinPromotion | RulePromotion;

export interface Cap {
  /** at most `max` items per value of this property */
  property: string;
  max: number;
}

export interface Boost {
  /**
   * a boost rule: `boost 2 if item.onSale` multiplies the score (by 1 + weight·(2 − 1)); a
   * plain numeric expression such as `item.rating / 5` adds weight × value
   */
  rule: string;
  weight: number;
}

export interface Objectives {
  relevance: number;
  /** an item property such as margin or price, normalized over the candidates */
  margin?: { property: string; weight: number };
  /** weight of 1 − popularity share (needs the popularity index) */
  novelty?: number;
  /** weight of exp(−age / freshnessDays) from createdAt */
  freshness?: number;
  freshnessDays?: number;
}

/** Re-ranking knobs; any of them can be overridden per request. */
export interface Knobs {
  /** 0 = pure relevance, 1 = maximal spread; the useful range is 0.1–0.3 (see noveltyWeight in stages/mmr.ts and BENCHMARKS.md: 0.3 ≈ +26 % intra-list diversity for −4 % NDCG on ml-latest-small) */
  diversity: number;
  /** properties compared for diversity when no content index is given (default: category) */
  diversityProperties?: string[];
  /** 0–1: weight of Thompson sampling over impressions/engagements */
  exploration: number;
  /** items younger than this are "new" and explored */
  newItemDays: number;
  /** 0–1: how much items shown recently without engagement drop */
  rotation: number;
  rotationHours: number;
  /** candidates whose relevance (0–1 scale) is below this are dropped, then fallbacks fill */
  minRelevance: number;
  fallbacks: FallbackType[];
  objectives: Objectives;
  /** weight of the context-aware re-ranker */
  context: number;
  /** size of the candidate pool handed to re-ranking */
  candidates: number;
}

export interface Scenario {
  name: string;
  description?: string;
  retrievers: RetrieverSpec[];
  /** filter rules: an item must pass every one */
  filters: string[];
  boosts: Boost[];
  promotions: Promotion[];
  caps: Cap[];
  knobs: Knobs;
  /** drop items already in the user's history (recently-viewed candidates excepted) */
  excludeSeen: boolean;
  /** property holding item categories (for preferences, hide-category, diversity) */
  categoryProperty: string;
  /** user attributes / context fields that define segments, most specific first */
  segmentBy: string[];
}

export const DEFAULT_KNOBS: Knobs = {
  diversity: 0,
  exploration: 0,
  newItemDays: 14,
  rotation: 0,
  rotationHours: 72,
  minRelevance: 0,
  fallbacks: ['popular-in-segment', 'trending', 'popular'],
  objectives: { relevance: 1 },
  context: 0,
  candidates: 300,
};

/** Request knobs override the scenario's; objectives merge field by field. */
export function mergeKnobs(scenario: Pick<Scenario, 'knobs'>, request?: Partial<Knobs>): Knobs {
  const base = scenario.knobs;
  if (!request) return base;
  const defined = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as Partial<Knobs>;
  return { ...base, ...defined, objectives: { ...base.objectives, ...(defined.objectives ?? {}) } };
}
