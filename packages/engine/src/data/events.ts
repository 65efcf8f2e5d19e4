import { csrFromTriplets, type CsrMatrix, type DuplicateRule } from './csr.ts';
import { IdMap } from './idMap.ts';

/** One interaction as the engine sees it: plain data, time in epoch milliseconds. */
export interface Interaction {
  userId: string;
  itemId: string;
  /** open set: 'view', 'cart', 'purchase', 'rating', 'like', … */
  type?: string;
  /** rating, price, watch fraction … multiplies the type weight when `useValue` is set */
  value?: number;
  /** epoch milliseconds */
  timestamp?: number;
}

export interface WeightingOptions {
  /** weight per event type; types not listed get `defaultWeight`; weight 0 drops the event */
  typeWeights?: Record<string, number>;
  defaultWeight?: number;
  /** multiply by the event's value when it has one */
  useValue?: boolean;
  /** exponential time decay: an event `halfLifeDays` older than `now` counts half */
  halfLifeDays?: number;
  /** epoch ms the decay is measured from (the engine has no clock); defaults to the newest event */
  now?: number;
  /** how repeated (user, item) pairs merge */
  duplicates?: DuplicateRule;
}

export const DEFAULT_TYPE_WEIGHTS: Readonly<Record<string, number>> = {
  view: 1,
  click: 1,
  like: 2,
  rating: 1,
  cart: 3,
  'add-to-cart': 3,
  wishlist: 2,
  purchase: 5,
  'not-interested': 0,
  dislike: 0,
  'hide-category': 0,
};

export interface InteractionMatrix {
  users: IdMap;
  items: IdMap;
  /** users × items */
  matrix: CsrMatrix;
}

/**
 * The configured weight of an event type, or `fallback`. Own keys only: event types are open
 * strings from clients, and `constructor` or `toString` must not pick up Object.prototype.
 */
export function typeWeightOf(weights: Readonly<Record<string, number>> | undefined, type: string, fallback: number): number {
  return weights !== undefined && Object.hasOwn(weights, type) ? (weights[type] as number) : fallback;
}

/** The weight one interaction contributes under `opts` (0 drops it). */
export function interactionWeight(e: Interaction, opts: WeightingOptions, now: number): number {
  const weights = opts.typeWeights ?? DEFAULT_TYPE_WEIGHTS;
  let w = e.type === undefined ? (opts.defaultWeight ?? 1) : typeWeightOf(weights, e.type, opts.defaultWeight ?? 1);
  if (opts.useValue && e.value !== undefined && Number.isFinite(e.value)) w *= e.value;
  if (opts.halfLifeDays && opts.halfLifeDays > 0 && e.timestamp !== undefined) {
    const ageDays = Math.max(0, now - e.timestamp) / 86_400_000;
    w *= Math.pow(0.5, ageDays / opts.halfLifeDays);
  }
  return w;
}

/**
 * Builds the user × item matrix from interactions. Known id maps can be passed so that a
 * matrix lines up with an existing model's indices (new ids are appended).
 */
export function buildInteractionMatrix(
  interactions: readonly Interaction[],
  opts: WeightingOptions = {},
  maps: { users?: IdMap; items?: IdMap } = {},
): InteractionMatrix {
  const users = maps.users ?? new IdMap();
  const items = maps.items ?? new IdMap();
  let now = opts.now ?? -Infinity;
  if (opts.now === undefined) for (const e of interactions) if (e.timestamp !== undefined && e.timestamp > now) now = e.timestamp;
  const rule = opts.duplicates ?? 'sum';
  // 'latest' means latest in time, so order by timestamp (stable for ties and missing times)
  const ordered = rule === 'latest' ? stableByTime(interactions) : interactions;
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (const e of ordered) {
    const u = users.add(e.userId);
    const i = items.add(e.itemId);
    const w = interactionWeight(e, opts, now);
    if (w === 0 || !Number.isFinite(w)) continue;
    r.push(u);
    c.push(i);
    v.push(w);
  }
  const matrix = csrFromTriplets({ rows: users.size, cols: items.size }, { rows: r, cols: c, values: v }, rule);
  return { users, items, matrix };
}

function stableByTime(list: readonly Interaction[]): Interaction[] {
  return list
    .map((e, k) => ({ e, k }))
    .sort((a, b) => (a.e.timestamp ?? -Infinity) - (b.e.timestamp ?? -Infinity) || a.k - b.k)
    .map((x) => x.e);
}
