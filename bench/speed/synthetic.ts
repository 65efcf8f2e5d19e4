import type { CsrMatrix } from '../../packages/engine/src/data/csr.ts';
import { Rng } from '../../packages/engine/src/data/rng.ts';

export interface LastfmShapeOptions {
  users?: number;
  items?: number;
  /** target number of stored (user, item) entries */
  interactions?: number;
  /** Zipf exponent of item popularity */
  skew?: number;
  seed?: number;
}

/**
 * A users × items play-count matrix shaped like last.fm-360k (≈360k users, 290k artists,
 * ≈17.5M entries, power-law artist popularity, heavy-tailed user activity), generated rather
 * than downloaded. The CSR is filled directly in typed arrays: per user, draw a log-normal
 * history length, draw that many items from the Zipf distribution, sort and drop repeats.
 */
export function lastfmShaped(opts: LastfmShapeOptions = {}): CsrMatrix {
  const users = opts.users ?? 360_000;
  const items = opts.items ?? 290_000;
  const target = opts.interactions ?? 17_500_000;
  const skew = opts.skew ?? 0.9;
  const rng = new Rng(opts.seed ?? 360);

  const cdf = new Float64Array(items);
  let acc = 0;
  for (let i = 0; i < items; i++) cdf[i] = acc += 1 / Math.pow(i + 1, skew);
  for (let i = 0; i < items; i++) cdf[i] = (cdf[i] as number) / acc;
  // a random permutation so popularity is not aligned with the item index
  const perm = Int32Array.from({ length: items }, (_, i) => i);
  for (let i = items - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = perm[i] as number;
    perm[i] = perm[j] as number;
    perm[j] = t;
  }

  // log-normal lengths (σ = 0.8) scaled to the target mean; repeats dropped later cost a few %
  const sigma = 0.8;
  const lengths = new Int32Array(users);
  const mean = (target / users) * 1.068;
  const mu = Math.log(mean) - (sigma * sigma) / 2;
  let total = 0;
  for (let u = 0; u < users; u++) {
    const n = Math.max(1, Math.min(items, Math.round(Math.exp(mu + sigma * rng.normal()))));
    lengths[u] = n;
    total += n;
  }
  const indptr = new Int32Array(users + 1);
  const indices = new Int32Array(total);
  const data = new Float32Array(total);
  let at = 0;
  for (let u = 0; u < users; u++) {
    const start = at;
    const n = lengths[u] as number;
    for (let k = 0; k < n; k++) {
      const x = rng.next();
      let lo = 0;
      let hi = items - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cdf[mid] as number) < x) lo = mid + 1;
        else hi = mid;
      }
      indices[at++] = perm[lo] as number;
    }
    const row = indices.subarray(start, at).sort();
    let w = start;
    for (let k = 0; k < row.length; k++) if (k === 0 || row[k] !== row[k - 1]) indices[w++] = row[k] as number;
    // play counts: heavy-tailed, ≥ 1
    for (let q = start; q < w; q++) data[q] = 1 + Math.floor(Math.exp(2 * rng.next() * rng.next() * 4));
    at = w;
    indptr[u + 1] = at;
  }
  return { rows: users, cols: items, indptr, indices: indices.slice(0, at), data: data.slice(0, at) };
}
