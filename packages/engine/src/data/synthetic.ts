import type { Interaction } from './events.ts';
import { Rng } from './rng.ts';

export interface SyntheticOptions {
  users?: number;
  items?: number;
  /** number of latent taste clusters; each user and item belongs to one */
  clusters?: number;
  /** mean interactions per user */
  interactionsPerUser?: number;
  /** probability that an interaction falls in the user's own cluster */
  affinity?: number;
  /** Zipf exponent of item popularity inside a cluster */
  popularitySkew?: number;
  seed?: number;
  /** epoch ms of the first event */
  start?: number;
  /** ms between a user's consecutive events */
  step?: number;
}

export interface SyntheticItem {
  id: string;
  cluster: number;
  /** popularity rank inside its cluster (0 = most popular) */
  rank: number;
  category: string;
  price: number;
  title: string;
}

export interface SyntheticData {
  interactions: Interaction[];
  items: SyntheticItem[];
  /** user id → cluster (the planted ground truth) */
  userCluster: Map<string, number>;
  itemCluster: Map<string, number>;
}

const WORDS = ['red', 'blue', 'green', 'gold', 'silver', 'dark', 'light', 'wild', 'calm', 'swift', 'bold', 'quiet'];

/**
 * A planted-structure data set: users and items in latent taste clusters, so the right answer
 * is known. A good collaborative model recommends a user's own cluster; most-popular cannot,
 * because global popularity is spread evenly over clusters. Each item's category names its
 * cluster and its title shares a cluster word, so content models can find the same structure.
 */
export function generateSynthetic(opts: SyntheticOptions = {}): SyntheticData {
  const nUsers = opts.users ?? 500;
  const nItems = opts.items ?? 400;
  const nClusters = opts.clusters ?? 8;
  const perUser = opts.interactionsPerUser ?? 20;
  const affinity = opts.affinity ?? 0.85;
  const skew = opts.popularitySkew ?? 0.8;
  const rng = new Rng(opts.seed ?? 7);
  const start = opts.start ?? Date.UTC(2026, 0, 1);
  const step = opts.step ?? 60_000;

  const items: SyntheticItem[] = [];
  const byCluster: number[][] = Array.from({ length: nClusters }, () => []);
  for (let i = 0; i < nItems; i++) {
    const cluster = i % nClusters;
    const rank = byCluster[cluster]!.length;
    byCluster[cluster]!.push(i);
    const word = WORDS[cluster % WORDS.length]!;
    items.push({
      id: `i${i}`,
      cluster,
      rank,
      category: `c${cluster}`,
      price: Math.round((10 + 90 * rng.next()) * 100) / 100,
      title: `${word} thing ${cluster} number ${rank}`,
    });
  }
  // Zipf weights within each cluster
  const cumulative = byCluster.map((list) => {
    const acc: number[] = [];
    let s = 0;
    for (let r = 0; r < list.length; r++) acc.push((s += 1 / Math.pow(r + 1, skew)));
    return acc.map((x) => x / s);
  });
  const pick = (cluster: number): number => {
    const acc = cumulative[cluster]!;
    const u = rng.next();
    let lo = 0;
    let hi = acc.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (acc[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return byCluster[cluster]![lo]!;
  };

  const interactions: Interaction[] = [];
  const userCluster = new Map<string, number>();
  for (let u = 0; u < nUsers; u++) {
    const userId = `u${u}`;
    const cluster = u % nClusters;
    userCluster.set(userId, cluster);
    const count = Math.max(3, Math.round(perUser * (0.5 + rng.next())));
    const seen = new Set<number>();
    let t = start + rng.int(1000) * step;
    for (let k = 0, guard = 0; k < count && guard < count * 20; guard++) {
      const c = rng.next() < affinity ? cluster : rng.int(nClusters);
      const item = pick(c);
      if (seen.has(item)) continue;
      seen.add(item);
      k++;
      t += step;
      interactions.push({ userId, itemId: `i${item}`, type: 'view', value: 1 + rng.int(5), timestamp: t });
    }
  }
  return {
    interactions,
    items,
    userCluster,
    itemCluster: new Map(items.map((it) => [it.id, it.cluster])),
  };
}
