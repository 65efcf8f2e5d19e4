import type { Rng } from '../../data/rng.ts';
import type { EngagementStats } from '../indexes.ts';
import type { Candidate } from '../types.ts';

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

/**
 * Thompson sampling over impressions vs engagements: each candidate draws an engagement rate
 * from Beta(prior + engagements, prior + misses), with the prior centred on the candidates'
 * pooled rate. Rarely shown and new items have wide posteriors, so they sometimes draw high
 * and get impressions; items shown often converge to their true rate. The score becomes
 * (1 − ε)·score + ε·maxScore·draw/maxDraw.
 */
export function applyExploration(candidates: readonly Candidate[], epsilon: number, engagement: Readonly<Record<string, EngagementStats>> | undefined, rng: Rng): void {
  if (epsilon <= 0 || candidates.length === 0) return;
  let imps = 0;
  let engs = 0;
  for (const c of candidates) {
    const s = engagement?.[c.item.id];
    if (s) {
      imps += s.impressions;
      engs += Math.min(s.engagements, s.impressions);
    }
  }
  const p0 = (engs + 1) / (imps + 20);
  const strength = 4;
  const draws = candidates.map((c) => {
    const s = engagement?.[c.item.id];
    const shown = s?.impressions ?? 0;
    const hits = Math.min(s?.engagements ?? 0, shown);
    return sampleBeta(rng, strength * p0 + hits, strength * (1 - p0) + (shown - hits));
  });
  let maxDraw = 0;
  let maxScore = 0;
  for (let k = 0; k < candidates.length; k++) {
    if (draws[k] > maxDraw) maxDraw = draws[k];
    if (candidates[k].score > maxScore) maxScore = candidates[k].score;
  }
  const scale = maxScore > 0 ? maxScore : 1;
  candidates.forEach((c, k) => {
    const next = (1 - epsilon) * c.score + epsilon * scale * (maxDraw > 0 ? draws[k] / maxDraw : 0);
    c.parts.exploration = next - c.score;
    c.score = next;
  });
}
