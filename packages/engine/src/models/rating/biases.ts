import type { RatingTriples } from './types.ts';

/** Global mean, per-user and per-item offsets, and the rating scale seen in training. */
export interface Biases {
  mean: number;
  user: Float32Array;
  item: Float32Array;
  min: number;
  max: number;
}

/**
 * Regularized biases by alternating least squares (Koren 2010, §2.1): each item offset is the
 * shrunk mean residual of its ratings, then each user offset likewise, repeated a few times.
 */
export function fitBiases(t: RatingTriples, numUsers: number, numItems: number, regUser: number, regItem: number, iterations: number): Biases {
  const n = t.ratings.length;
  let mean = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    const r = t.ratings[k] as number;
    mean += r;
    if (r < min) min = r;
    if (r > max) max = r;
  }
  mean = n > 0 ? mean / n : 0;
  const user = new Float32Array(numUsers);
  const item = new Float32Array(numItems);
  const sum = new Float64Array(Math.max(numUsers, numItems));
  const count = new Float64Array(sum.length);
  for (let it = 0; it < iterations; it++) {
    sum.fill(0);
    count.fill(0);
    for (let k = 0; k < n; k++) {
      const i = t.items[k] as number;
      sum[i] += (t.ratings[k] as number) - mean - (user[t.users[k] as number] as number);
      count[i]++;
    }
    for (let i = 0; i < numItems; i++) item[i] = (sum[i] as number) / (regItem + (count[i] as number));
    sum.fill(0);
    count.fill(0);
    for (let k = 0; k < n; k++) {
      const u = t.users[k] as number;
      sum[u] += (t.ratings[k] as number) - mean - (item[t.items[k] as number] as number);
      count[u]++;
    }
    for (let u = 0; u < numUsers; u++) user[u] = (sum[u] as number) / (regUser + (count[u] as number));
  }
  return { mean, user, item, min: n > 0 ? min : 0, max: n > 0 ? max : 0 };
}

/** μ + bᵤ + bᵢ with missing users or items contributing 0. */
export function baselineOf(b: Biases, u: number, i: number): number {
  return b.mean + (u >= 0 && u < b.user.length ? (b.user[u] as number) : 0) + (i >= 0 && i < b.item.length ? (b.item[i] as number) : 0);
}

export function clip(b: Biases, v: number): number {
  return v < b.min ? b.min : v > b.max ? b.max : v;
}
