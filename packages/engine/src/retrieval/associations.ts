import type { Reason } from '../pipeline/types.ts';
import { topFromScores, type Retrieved, type RetrievalQuery } from './types.ts';
import { ownValue, userKeyedRecord } from '../data/ownValue.ts';

/** A raw event as the association builder reads it (plain data from the event store). */
export interface BasketEvent {
  itemId: string;
  type?: string;
  userId?: string;
  /** events sharing an order id form one basket */
  orderId?: string;
  /** else events sharing a session id form one basket */
  sessionId?: string;
  /** epoch ms; else a user's events closer than `sessionGapMs` form one basket */
  timestamp?: number;
}

export interface AssociationOptions {
  /** event types that count (default purchase, cart, add-to-cart) */
  types?: readonly string[];
  /** gap that splits a user's events into sessions when events carry no order/session id */
  sessionGapMs?: number;
  /** minimum number of baskets holding both items */
  minSupport?: number;
  /** minimum P(b | a) */
  minConfidence?: number;
  /** associations kept per item */
  maxPerItem?: number;
  /** baskets larger than this are truncated (their pairs are quadratic) */
  maxBasketSize?: number;
}

/** One association a → b: support (baskets with both), confidence P(b|a), lift P(b|a)/P(b). */
export type Association = [other: string, support: number, confidence: number, lift: number];

/** Item-to-item association rules: plain JSON, built offline from events, read per request. */
export interface AssociationIndex {
  version: 1;
  baskets: number;
  /** baskets holding each item */
  itemBaskets: Record<string, number>;
  /** per item, its associations by descending strength */
  rules: Record<string, Association[]>;
}

const DEFAULT_TYPES = ['purchase', 'cart', 'add-to-cart'];

/** Groups events into baskets: order id, else session id, else user + time gap. */
function baskets(events: readonly BasketEvent[], opts: AssociationOptions): string[][] {
  const types = new Set(opts.types ?? DEFAULT_TYPES);
  const gap = opts.sessionGapMs ?? 30 * 60_000;
  const byKey = new Map<string, Set<string>>();
  const lastSeen = new Map<string, { t: number; n: number }>();
  const sorted = events
    .filter((e) => types.has(e.type ?? 'purchase'))
    .map((e, k) => ({ e, k }))
    .sort((a, b) => (a.e.timestamp ?? 0) - (b.e.timestamp ?? 0) || a.k - b.k);
  for (const { e } of sorted) {
    let key: string;
    if (e.orderId !== undefined) key = `o:${e.orderId}`;
    else if (e.sessionId !== undefined) key = `s:${e.sessionId}`;
    else {
      const user = e.userId ?? '';
      const t = e.timestamp ?? 0;
      const prev = lastSeen.get(user);
      const n = !prev ? 0 : t - prev.t > gap ? prev.n + 1 : prev.n;
      lastSeen.set(user, { t, n });
      key = `u:${user}:${n}`;
    }
    let s = byKey.get(key);
    if (!s) byKey.set(key, (s = new Set()));
    s.add(e.itemId);
  }
  const max = opts.maxBasketSize ?? 50;
  return [...byKey.values()].map((s) => [...s].slice(0, max));
}

/** Counts item and pair occurrences over baskets and keeps the strong associations per item. */
export function buildAssociationIndex(events: readonly BasketEvent[], opts: AssociationOptions = {}): AssociationIndex {
  const list = baskets(events, opts);
  const itemBaskets = userKeyedRecord<number>();
  const pairs = new Map<string, Map<string, number>>();
  for (const b of list) {
    for (const a of b) itemBaskets[a] = (ownValue(itemBaskets, a) ?? 0) + 1;
    if (b.length < 2) continue;
    for (const a of b) {
      let m = pairs.get(a);
      if (!m) pairs.set(a, (m = new Map()));
      for (const c of b) if (c !== a) m.set(c, (m.get(c) ?? 0) + 1);
    }
  }
  const n = list.length;
  const minSupport = opts.minSupport ?? 2;
  const minConfidence = opts.minConfidence ?? 0;
  const maxPer = opts.maxPerItem ?? 50;
  const rules = userKeyedRecord<Association[]>();
  for (const a of [...pairs.keys()].sort()) {
    const na = itemBaskets[a];
    const kept: Association[] = [];
    for (const [b, support] of pairs.get(a)!) {
      if (support < minSupport) continue;
      const confidence = support / na;
      if (confidence < minConfidence) continue;
      const lift = confidence / (itemBaskets[b] / n);
      kept.push([b, support, confidence, lift]);
    }
    if (kept.length === 0) continue;
    kept.sort((x, y) => associationStrength(y) - associationStrength(x) || (x[0] < y[0] ? -1 : 1));
    rules[a] = kept.slice(0, maxPer);
  }
  return { version: 1, baskets: n, itemBaskets, rules };
}

/**
 * Confidence damped by lift: confidence alone favours best-sellers that go with everything,
 * lift alone favours rare pairs; confidence × log(1 + lift) ranks the pairs that are both
 * frequent and specific first.
 */
export function associationStrength(a: Association): number {
  return a[2] * Math.log1p(a[3]);
}

/**
 * Items associated with the seed items (summed strength), e.g. "customers also bought" for a
 * product page or "frequently bought together" for a cart.
 */
export function retrieveAssociated(query: RetrievalQuery, index: AssociationIndex | undefined, seeds: readonly string[], n: number, text: (seedTitles: string) => string): Retrieved[] {
  if (!index || seeds.length === 0) return [];
  const scores = new Map<string, number>();
  const because = new Map<string, string[]>();
  const seedSet = new Set(seeds);
  for (const s of seeds) {
    for (const a of ownValue(index.rules, s) ?? []) {
      if (seedSet.has(a[0])) continue;
      scores.set(a[0], (scores.get(a[0]) ?? 0) + associationStrength(a));
      const list = because.get(a[0]);
      if (list) list.push(s);
      else because.set(a[0], [s]);
    }
  }
  return topFromScores(query, scores, n, (id): Reason => {
    const ids = because.get(id) ?? [];
    return { type: 'bought-together', text: text(ids.join(', ')), itemIds: ids };
  });
}
