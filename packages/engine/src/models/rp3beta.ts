import { binarize, columnCounts, transpose, type CsrMatrix } from '../data/csr.ts';
import { pack, unpack } from '../data/pack.ts';
import { topKJs } from '../kernels/topk.ts';
import type { FitContext, ModelFactory, RecommendOptions, ScoredItems, UserQuery } from './model.ts';
import { matrixArrays, matrixFromArrays } from './neighbours/packNeighbours.ts';
import { scoreHistory } from './neighbours/scoreHistory.ts';
import { topNeighbours } from './neighbours/topNeighbours.ts';
import { WeightedHistoryRecommender } from './neighbours/weightedHistory.ts';
import { defaultsOf, readParams, type ParamValues } from './params.ts';
import { deserializeTrain, serializeTrain } from './popularity.ts';

const EMPTY: CsrMatrix = { rows: 0, cols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), data: new Float32Array(0) };

const SPEC = {
  /** exponent on the transition probabilities (1 = plain random walk) */
  alpha: { type: 'number', default: 1, min: 0 },
  /** popularity penalty: arrival probability at item j is divided by popularity(j)^beta */
  beta: { type: 'number', default: 0.5, min: 0 },
  /** neighbours kept per item */
  k: { type: 'int', default: 100, min: 1 },
  /** L1-normalize each item's neighbour weights */
  normalize: { type: 'boolean', default: false },
  /** treat every interaction as 1 */
  binary: { type: 'boolean', default: true },
  /** fitted users' history items weigh 0.5^(newer items / recencyHalfLife) (0 = off); see item-knn */
  recencyHalfLife: { type: 'number', default: 0, min: 0 },
} as const;

type Params = ParamValues<typeof SPEC>;

/**
 * RP3beta (Paudel et al. 2017, as tuned by Dacrema et al. 2019): the probability of a 3-step
 * random walk item → user → item on the interaction graph, damped by the target's popularity so
 * the long tail surfaces. Stored as sparse top-k neighbour lists like item-kNN.
 */
export class Rp3Beta extends WeightedHistoryRecommender {
  readonly name = 'rp3beta';
  private readonly p: Params;
  /** items × items, row i = weights from history item i to its k best targets */
  private neighbours: CsrMatrix = EMPTY;

  constructor(params: Record<string, unknown> = {}) {
    const p = readParams('rp3beta', SPEC, params);
    super(p);
    this.p = p;
  }

  fit(matrix: CsrMatrix, ctx: FitContext = {}): void {
    this.resetTraining(matrix);
    this.neighbours = rp3Neighbours(matrix, this.p, ctx.onProgress);
    this.fitHistoryWeights(matrix, ctx, this.p.recencyHalfLife, !this.p.binary);
  }

  scoreAll(query: UserQuery, out?: Float32Array): Float32Array {
    return scoreHistory(this.neighbours, this.history(query), this.p.binary && this.p.recencyHalfLife === 0, out ?? new Float32Array(this.numItems));
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    const scores = new Float32Array(this.numItems).fill(-Infinity);
    const { indptr, indices, data } = this.neighbours;
    if (item >= 0 && item < this.neighbours.rows) {
      for (let p = indptr[item] as number; p < (indptr[item + 1] as number); p++) scores[indices[p] as number] = data[p] as number;
    }
    return topKJs(scores, n, this.skipMask([...(opts.exclude ?? []), item]), opts.candidates);
  }

  serialize(): Uint8Array {
    return pack(
      { name: this.name, params: this.params, shape: [this.train.rows, this.train.cols] },
      serializeTrain(this.train, { ...matrixArrays('nb', this.neighbours), ...this.historyWeightArrays() }),
    );
  }

  static deserialize(bytes: Uint8Array): Rp3Beta {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number] }>(bytes);
    const m = new Rp3Beta(meta.params);
    m.train = deserializeTrain(meta.shape, arrays);
    m.neighbours = matrixFromArrays('nb', [meta.shape[1], meta.shape[1]], arrays);
    m.restoreHistoryWeights(arrays);
    return m;
  }
}

/** Divides each row's values by the row sum, then raises them to `alpha`. */
function transitionProbabilities(m: CsrMatrix, alpha: number): CsrMatrix {
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    let sum = 0;
    for (let p = m.indptr[r] as number; p < (m.indptr[r + 1] as number); p++) sum += m.data[p] as number;
    for (let p = m.indptr[r] as number; p < (m.indptr[r + 1] as number); p++) data[p] = sum > 0 ? ((m.data[p] as number) / sum) ** alpha : 0;
  }
  return { ...m, data };
}

function rp3Neighbours(matrix: CsrMatrix, p: Params, onProgress?: (f: number) => void): CsrMatrix {
  const x = p.binary ? binarize(matrix) : matrix;
  const itemToUser = transitionProbabilities(transpose(x), p.alpha);
  const userToItem = transitionProbabilities(x, p.alpha);
  const popularity = columnCounts(x);
  const penalty = new Float64Array(x.cols);
  for (let j = 0; j < x.cols; j++) penalty[j] = (popularity[j] as number) > 0 ? Math.pow(popularity[j] as number, -p.beta) : 0;
  const w = topNeighbours(itemToUser, userToItem, p.k, (_i, j, dot) => dot * (penalty[j] as number), onProgress);
  if (p.normalize) {
    for (let r = 0; r < w.rows; r++) {
      let sum = 0;
      for (let q = w.indptr[r] as number; q < (w.indptr[r + 1] as number); q++) sum += w.data[q] as number;
      if (sum > 0) for (let q = w.indptr[r] as number; q < (w.indptr[r + 1] as number); q++) w.data[q] = (w.data[q] as number) / sum;
    }
  }
  return w;
}

export const rp3betaFactory: ModelFactory = {
  name: 'rp3beta',
  description: 'RP3beta: popularity-penalized 3-step random walk item → user → item (Paudel et al.)',
  defaults: defaultsOf(SPEC),
  grid: { alpha: [0.5, 0.75, 1, 1.25], beta: [0, 0.2, 0.4, 0.6, 0.8], k: [50, 100, 200, 400], normalize: [false, true], recencyHalfLife: [0, 3, 5, 8] },
  create: (params = {}) => new Rp3Beta(params),
  deserialize: (bytes) => Rp3Beta.deserialize(bytes),
};
