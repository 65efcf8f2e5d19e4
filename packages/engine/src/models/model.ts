import type { CsrMatrix, SparseVector } from '../data/csr.ts';

/** Items with their scores, best first. */
export interface ScoredItems {
  items: Int32Array;
  scores: Float32Array;
}

/**
 * Who to score for: a user row of the fitted matrix, or an ad-hoc history (item indices with
 * weights) for a visitor the model never saw, e.g. an anonymous session or a user with fresh
 * events since the last fit.
 */
export type UserQuery = { user: number } | { history: SparseVector };

export interface RecommendOptions {
  /** item indices never to return */
  exclude?: Iterable<number>;
  /** drop the items in the user's own history (default true) */
  excludeHistory?: boolean;
  /** score only these item indices */
  candidates?: ArrayLike<number>;
}

export interface FitContext {
  /** called with a fraction 0..1 during long fits */
  onProgress?: (fraction: number, message?: string) => void;
  /** seed for anything random in the fit */
  seed?: number;
  /** epoch ms "now" for time-aware models (the engine has no clock) */
  now?: number;
  /** timestamps aligned with matrix.data, for time-aware models (trending) */
  timestamps?: Float64Array;
}

/**
 * The verbs every model offers, after benfred/implicit: fit on a user × item matrix; score and
 * recommend for a known user or an ad-hoc history; similar items; fold in one user's new
 * interactions without a full retrain; serialize to bytes.
 */
export interface Recommender {
  readonly name: string;
  /** hyper-parameters, as passed to the factory (JSON-safe) */
  readonly params: Readonly<Record<string, unknown>>;
  readonly numItems: number;
  readonly numUsers: number;

  fit(matrix: CsrMatrix, ctx?: FitContext): void | Promise<void>;

  /** Dense scores over all items (higher is better); `out` is reused when given. */
  scoreAll(query: UserQuery, out?: Float32Array): Float32Array;

  /** Scores for the given item indices only. */
  scoreItems(query: UserQuery, items: ArrayLike<number>): Float32Array;

  recommend(query: UserQuery, n: number, opts?: RecommendOptions): ScoredItems;

  /**
   * Optional fast path for `recommend(query, n)` with default options (history excluded):
   * identical items, scores and tie order, computed without catalogue-sized passes where the
   * model's structure allows (item-kNN touches only the history items' neighbour lists).
   * Retrievers prefer it when present.
   */
  recommendTop?(query: UserQuery, n: number): ScoredItems;

  /** Items most similar to `item` (never `item` itself). */
  similarItems(item: number, n: number, opts?: Omit<RecommendOptions, 'excludeHistory'>): ScoredItems;

  /**
   * Replaces what the model knows of user `user` by `history` (fold-in). A user index equal to
   * numUsers appends a new user.
   */
  updateUser(user: number, history: SparseVector): void;

  /** The history the model holds for a user row. */
  userHistory(user: number): SparseVector;

  serialize(): Uint8Array;
}

export interface ModelFactory {
  readonly name: string;
  readonly description: string;
  /** default hyper-parameters */
  readonly defaults: Readonly<Record<string, unknown>>;
  /** search space for tuning: each param to the values to try */
  readonly grid?: Readonly<Record<string, readonly unknown[]>>;
  create(params?: Record<string, unknown>): Recommender;
  deserialize(bytes: Uint8Array): Recommender;
}
