import type { UserEventRecord } from '@attune/engine';

/**
 * The online state port: the fast, recent, per-user memory the real-time path reads on every
 * request and writes on every accepted event. Unlike the Store it is allowed to forget (caps,
 * restarts): the Store stays the truth, and the trainer folds everything durable into the
 * next model. Every method is async and batch-shaped so a networked adapter (Redis) can
 * pipeline; the in-memory adapter resolves at once.
 */

/** One accepted event as the online state keeps it. */
export interface OnlineEvent extends UserEventRecord {
  userId: string;
  /** store sequence number: lets warm-up skip what a model already saw */
  seq?: number;
}

/** The list shown for one recommendation response, kept so later events can be attributed. */
export interface Impression {
  recommendationId: string;
  userId?: string;
  itemIds: string[];
  timestamp: number;
  /** e.g. 'user', 'similar', 'popular', 'trending', 'session' */
  surface: string;
  modelVersion?: number;
}

export interface UserOnlineState {
  /** recent events, oldest first; `seq` when the event came from the Store */
  history: Array<UserEventRecord & { seq?: number }>;
  /** items recently shown to the user, oldest first */
  impressions: Array<{ itemId: string; timestamp: number }>;
  /**
   * changes whenever the history changes (not on impressions): a cheap cache key for lists
   * derived from the history; unique across users and deletions. trimBefore keeps it: the
   * events it drops are in the model that replaced them, and a revision bump there would make
   * every recently active user's cached list recompute at once after each model swap.
   */
  revision: number;
}

export interface OnlineState {
  /** appends events to their users' recent histories and to the item counters */
  recordEvents(events: readonly OnlineEvent[]): Promise<void>;
  /** the user's recent state; an empty state (revision 0) for users never seen */
  getUser(userId: string): Promise<UserOnlineState>;
  /**
   * the same, answered at once by adapters that hold the state in this process: a request that
   * reuses a cached list then needs no await (optional; networked adapters leave it out)
   */
  getUserSync?(userId: string): UserOnlineState;
  recordImpressions(impressions: readonly Impression[]): Promise<void>;
  getImpression(recommendationId: string): Promise<Impression | undefined>;
  /**
   * Time-decayed per-item activity, highest first: what `GET /v1/trending` serves.
   * `halfLifeMs` is fixed per adapter instance; `now` comes from the caller.
   */
  trending(limit: number, now: number): Promise<Array<{ itemId: string; score: number }>>;
  /** adds to named counters (events accepted, impressions …) */
  incrementCounters(deltas: Readonly<Record<string, number>>): Promise<void>;
  counters(): Promise<Record<string, number>>;
  /** forgets a user entirely (GDPR deletion) */
  deleteUser(userId: string): Promise<void>;
  /** moves `from`'s recent state onto `into` (anonymous → logged-in) */
  mergeUsers(from: string, into: string): Promise<void>;
  /** drops recent events of every user already covered by a model trained up to `seq`; revisions stay */
  trimBefore(seq: number): Promise<void>;
}
