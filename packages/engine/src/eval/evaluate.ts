import { columnCounts } from '../data/csr.ts';
import type { Recommender } from '../models/model.ts';
import { averagePopularity, catalogueCoverage, giniExposure, meanIntraListDiversity, novelty, type ItemVectors } from './beyond.ts';
import type { EvalData } from './dataset.ts';
import { RANKING_METRICS, userRankingMetrics, type RankingMetrics } from './metrics.ts';

export interface EvaluateOptions {
  /** list length (default 10) */
  k?: number;
  /** item vectors for intra-list diversity; without them diversity is left out */
  itemVectors?: ItemVectors;
  /** called as users are scored */
  onProgress?: (done: number, total: number) => void;
}

/** Accuracy means over evaluated users, plus beyond-accuracy measures over all their lists. */
export interface EvalResult extends RankingMetrics {
  k: number;
  /** users evaluated (those with at least one test item) */
  users: number;
  /** distinct recommended items / catalogue size */
  coverage: number;
  /** mean self-information of recommended items, in bits */
  novelty: number;
  /** mean number of training users of recommended items (ARP) */
  avgPopularity: number;
  /** Gini coefficient of how often each catalogue item is recommended */
  giniExposure: number;
  /** mean intra-list cosine distance, when item vectors were given */
  diversity?: number;
}

/**
 * Full-ranking evaluation of a fitted model: for every test user, the top k over the whole
 * catalogue minus the user's training items (ties to the smaller item index), scored against
 * the user's test items.
 */
export function evaluateRecommender(model: Recommender, data: Pick<EvalData, 'train' | 'test'>, opts: EvaluateOptions = {}): EvalResult {
  const k = opts.k ?? 10;
  const { users, relevant } = data.test;
  const sums: RankingMetrics = { precision: 0, recall: 0, ndcg: 0, map: 0, mrr: 0, hitRate: 0 };
  const lists: Int32Array[] = [];
  const every = Math.max(1, Math.floor(users.length / 100));
  for (let j = 0; j < users.length; j++) {
    const ranked = model.recommend({ user: users[j] as number }, k, { excludeHistory: true }).items;
    lists.push(ranked);
    const m = userRankingMetrics(ranked, new Set(relevant[j] as Int32Array), k);
    for (const name of RANKING_METRICS) sums[name] += m[name];
    if (opts.onProgress && ((j + 1) % every === 0 || j + 1 === users.length)) opts.onProgress(j + 1, users.length);
  }
  const n = users.length;
  const mean = (x: number): number => (n > 0 ? x / n : 0);
  const counts = columnCounts(data.train);
  const result: EvalResult = {
    k,
    users: n,
    precision: mean(sums.precision),
    recall: mean(sums.recall),
    ndcg: mean(sums.ndcg),
    map: mean(sums.map),
    mrr: mean(sums.mrr),
    hitRate: mean(sums.hitRate),
    coverage: catalogueCoverage(lists, data.train.cols),
    novelty: novelty(lists, counts, data.train.rows),
    avgPopularity: averagePopularity(lists, counts),
    giniExposure: giniExposure(lists, data.train.cols),
  };
  if (opts.itemVectors) {
    const d = meanIntraListDiversity(lists, opts.itemVectors);
    if (d !== undefined) result.diversity = d;
  }
  return result;
}
