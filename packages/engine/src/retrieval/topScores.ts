import { topKJs } from '../kernels/topk.ts';
import type { ScoredItems } from '../models/model.ts';

// One reusable score buffer per length: a request scores the catalogue once, and allocating
// 400 kB per request on a 100k catalogue shows up as garbage-collection pauses at p99.
// Buffers are per (slot, length) so two users of scratch space within one request never share.
const buffers = new Map<string, Float32Array>();

/** A reusable buffer; zero-filled when created, otherwise holding whatever its slot's last user left. */
export function scratchScores(length: number, slot = 'scores'): Float32Array {
  const key = `${slot}:${length}`;
  let b = buffers.get(key);
  if (!b) {
    if (buffers.size > 8) buffers.clear();
    buffers.set(key, (b = new Float32Array(length)));
  }
  return b;
}

const SAMPLE = 2048;

/**
 * Exact top-k of a dense score array, fast on large catalogues: a strided sample sets a
 * threshold a little below the k-th best, one tight pass collects the entries above it, and the
 * heap runs over those only. Falls back to the full heap when the sample misjudges. Entries
 * equal to -Infinity or NaN are never returned.
 */
export function topKFast(scores: Float32Array, k: number): ScoredItems {
  const n = scores.length;
  if (n <= 8 * SAMPLE || k * 20 > n) return topKJs(scores, k);
  const stride = Math.floor(n / SAMPLE);
  const sample: number[] = [];
  for (let i = 0; i < n; i += stride) {
    const v = scores[i];
    if (v === v && v !== -Infinity) sample.push(v);
  }
  sample.sort((a, b) => b - a);
  // expect k·|sample|/n sample entries above the k-th best; go 3× deeper (plus slack) for safety
  const rank = Math.min(sample.length - 1, Math.ceil((3 * k * sample.length) / n) + 8);
  const threshold = rank >= 0 ? sample[rank] : -Infinity;
  const picked: number[] = [];
  for (let i = 0; i < n; i++) if (scores[i] > threshold) picked.push(i);
  if (picked.length < k) {
    for (let i = 0; i < n && picked.length < 4 * k; i++) if (scores[i] === threshold) picked.push(i);
    if (picked.length < k) return topKJs(scores, k);
  }
  return topKJs(scores, k, undefined, picked);
}
