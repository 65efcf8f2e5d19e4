import type { Rng } from '../../data/rng.ts';
import type { EngagementStats } from '../indexes.ts';
import type { Candidate } from '../types.ts';
import { ownValue } from '../../data/ownValue.ts';

/** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 via the u^(1/shape) boost). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1) * Math.pow(Math.max(rng.next(), 1e-12), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(Math.max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x + y > 0 ? x / (x + y) : 0.5;
}

export interface ExplorationOptions {
  /** 0–1: the chance that each slot is an exploration slot */
  epsilon: number;
  /** items younger than this (ms) are new */
  newItemMs: number;
  /** items with fewer impressions than this are "rarely shown" (default 100) */
  minImpressions?: number;
  /** prior engagement rate when the candidates carry no data (default 0.05) */
  priorRate?: number;
}

/**
 * Exploration slots filled by Thompson sampling. Each slot is an exploration slot with
 * probability ε (seeded). Eligible are new items (younger than the cutoff) and, given
 * impression data, rarely shown ones; each draws an engagement rate from Beta(prior + engagements, prior + misses) — the
 * prior centred on the candidates' pooled rate — times (½ + ½·relevance), and the best draws
 * take the slots. Items shown often converge to their true rate and leave the eligible set, so
 * impressions flow to untested items without giving up the rest of the list.
 */
export function pickExplorations(candidates: readonly Candidate[], slots: number, opts: ExplorationOptions, engagement: Readonly<Record<string, EngagementStats>> | undefined, now: number, rng: Rng): Array<{ slot: number; candidate: Candidate }> {
  if (opts.epsilon <= 0 || candidates.length === 0) return [];
  const explore: number[] = [];
  for (let s = 0; s < slots; s++) if (rng.next() < opts.epsilon) explore.push(s);
  if (explore.length === 0) return [];
  const minImp = opts.minImpressions ?? 100;
  let imps = 0;
  let engs = 0;
  for (const c of candidates) {
    const st = engagement && ownValue(engagement, c.item.id);
    if (st) {
      imps += st.impressions;
      engs += Math.min(st.engagements, st.impressions);
    }
  }
  const p0 = imps >= 100 ? (engs + 1) / (imps + 2) : (opts.priorRate ?? 0.05);
  const strength = 2;
  let maxScore = 0;
  for (const c of candidates) if (c.score > maxScore) maxScore = c.score;
  const eligible: Array<{ c: Candidate; draw: number }> = [];
  for (const c of candidates) {
    const st = engagement && ownValue(engagement, c.item.id);
    const shown = st?.impressions ?? 0;
    const isNew = c.item.createdAt !== undefined && now - c.item.createdAt < opts.newItemMs;
    // without impression data nobody is known to be rarely shown: only new items explore
    if (!isNew && (!engagement || shown >= minImp)) continue;
    const hits = Math.min(st?.engagements ?? 0, shown);
    const theta = sampleBeta(rng, strength * p0 + hits, strength * (1 - p0) + (shown - hits));
    const rel = maxScore > 0 ? Math.max(0, c.score) / maxScore : 0;
    eligible.push({ c, draw: theta * (0.5 + 0.5 * rel) });
  }
  eligible.sort((a, b) => b.draw - a.draw || (a.c.item.id < b.c.item.id ? -1 : 1));
  return explore.slice(0, eligible.length).map((slot, k) => ({ slot, candidate: eligible[k].c }));
}
