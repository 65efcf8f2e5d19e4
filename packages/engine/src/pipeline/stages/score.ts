import type { Retrieved } from '../../retrieval/types.ts';
import type { PipelineIndexes } from '../indexes.ts';
import type { Knobs } from '../scenario.ts';
import type { Candidate, Reason } from '../types.ts';
import type { ItemBoost } from './rules.ts';
import { ownValue } from '../../data/ownValue.ts';

/** Raw retriever scores → 0..1: score / max when all are ≥ 0, else min-max. */
export function normalizeScores(list: readonly Retrieved[]): number[] {
  if (list.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const r of list) {
    if (r.score < min) min = r.score;
    if (r.score > max) max = r.score;
  }
  if (min >= 0) return list.map((r) => (max > 0 ? r.score / max : 1));
  const span = max - min || 1;
  return list.map((r) => (r.score - min) / span);
}

/**
 * Merges one retriever's results into the pool: each candidate gains the retriever's weighted
 * normalized score as a part, the source, and the retriever's reason (one per reason type).
 */
export function mergeRetrieved(pool: Map<string, Candidate>, source: string, list: readonly Retrieved[], weight: number): void {
  const norm = normalizeScores(list);
  // one key string per call, not one per item
  const key = `retrieve:${source}`;
  for (let k = 0; k < list.length; k++) {
    const r = list[k];
    const c = pool.get(r.item.id);
    if (!c) {
      // a new candidate is built whole: arrays of exactly one element rather than empty ones
      // grown by push (V8 then reserves 17 slots each; hundreds of candidates per request)
      pool.set(r.item.id, { item: r.item, score: 0, parts: { [key]: Math.max(0, weight * norm[k]) }, reasons: [r.reason], sources: [source] });
      continue;
    }
    c.parts[key] = Math.max(c.parts[key] ?? 0, weight * norm[k]);
    if (!c.sources.includes(source)) c.sources.push(source);
    addReason(c, r.reason);
  }
}

export function addReason(c: Candidate, reason: Reason): void {
  const same = c.reasons.find((x) => x.type === reason.type && x.value === reason.value);
  if (!same) c.reasons.push(reason);
  else if (reason.itemIds) same.itemIds = [...new Set([...(same.itemIds ?? []), ...reason.itemIds])];
}

/** relevance = Σ retriever parts / Σ retriever weights, so it stays on a 0..1 scale. */
export function scoreRelevance(candidates: readonly Candidate[], totalWeight: number): void {
  const w = totalWeight > 0 ? totalWeight : 1;
  for (const c of candidates) {
    let s = 0;
    for (const k in c.parts) if (k.startsWith('retrieve:')) s += c.parts[k];
    c.parts.relevance = Math.min(1, s / w);
    c.score = c.parts.relevance;
  }
}

/**
 * The multi-objective blend: relevance, margin (an item property, normalized over the
 * candidates), novelty (1 − popularity share) and freshness (exp(−age / days)).
 */
export function blendObjectives(candidates: readonly Candidate[], knobs: Knobs, indexes: PipelineIndexes, now: number): void {
  const o = knobs.objectives;
  let maxMargin = 0;
  if (o.margin) {
    for (const c of candidates) {
      const v = ownValue(c.item.properties, o.margin.property);
      if (typeof v === 'number' && v > maxMargin) maxMargin = v;
    }
  }
  const pop = indexes.popularity;
  const days = (o.freshnessDays ?? knobs.newItemDays) * 86_400_000;
  for (const c of candidates) {
    let s = o.relevance * c.parts.relevance;
    if (o.relevance !== 1) c.parts['objective:relevance'] = s;
    if (o.margin && o.margin.weight !== 0) {
      const v = ownValue(c.item.properties, o.margin.property);
      const part = o.margin.weight * (typeof v === 'number' && maxMargin > 0 ? Math.max(0, v) / maxMargin : 0);
      c.parts['objective:margin'] = part;
      s += part;
    }
    if (o.novelty && pop) {
      // log scale: the long tail differs little in raw counts but a lot in novelty
      const count = ownValue(pop.counts, c.item.id) ?? 0;
      const part = o.novelty * (1 - Math.log1p(count) / Math.log1p(Math.max(1, pop.maxCount)));
      c.parts['objective:novelty'] = part;
      s += part;
    }
    if (o.freshness && c.item.createdAt !== undefined) {
      const part = o.freshness * Math.exp(-Math.max(0, now - c.item.createdAt) / days);
      c.parts['objective:freshness'] = part;
      s += part;
    }
    c.score = s;
  }
}

/**
 * Boost rules: a 'boost' form multiplies the score (weight scales its effect: score ×
 * (1 + weight·(m − 1))), a 'score' form adds weight × value. The change is the `boost` part.
 */
export function applyBoosts(candidates: readonly Candidate[], boosts: ReadonlyArray<{ weight: number; boost: ItemBoost }>): void {
  if (boosts.length === 0) return;
  for (const c of candidates) {
    const before = c.score;
    for (const { weight, boost } of boosts) {
      const v = boost.value(c.item);
      if (!Number.isFinite(v)) continue;
      if (boost.form === 'boost') c.score *= 1 + weight * (v - 1);
      else c.score += weight * v;
    }
    if (c.score !== before) c.parts.boost = (c.parts.boost ?? 0) + c.score - before;
  }
}
