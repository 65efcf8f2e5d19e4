import { binarize, transpose, type CsrMatrix } from '../data/csr.ts';
import { pack, unpack } from '../data/pack.ts';
import { topKJs } from '../kernels/topk.ts';
import type { FitContext, ModelFactory, RecommendOptions, ScoredItems, UserQuery } from './model.ts';
import { matrixArrays, matrixFromArrays } from './neighbours/packNeighbours.ts';
import { scoreHistory } from './neighbours/scoreHistory.ts';
import { topNeighbours, type PairScore } from './neighbours/topNeighbours.ts';
import { bm25Weight, rowNorms } from './neighbours/weighting.ts';
import { WeightedHistoryRecommender } from './neighbours/weightedHistory.ts';
import { defaultsOf, readParams, type ParamValues } from './params.ts';
import { deserializeTrain, serializeTrain } from './popularity.ts';

const EMPTY: CsrMatrix = { rows: 0, cols: 0, indptr: new Int32Array(1), indices: new Int32Array(0), data: new Float32Array(0) };

const SPEC = {
  /** cosine, jaccard, or bm25 (BM25-weighted item × user vectors, then cosine) */
  similarity: { type: 'enum', default: 'cosine', values: ['cosine', 'jaccard', 'bm25'] },
  /** neighbours kept per item */
  k: { type: 'int', default: 100, min: 1 },
  /** added to the similarity denominator: pulls down pairs with little support */
  shrinkage: { type: 'number', default: 0, min: 0 },
  /** treat every interaction as 1 when computing similarities */
  binary: { type: 'boolean', default: true },
  /**
   * target: an item is scored from its own k neighbours found in the history (classic item-kNN,
   * what the reference figures use); history: from every history item that lists it among its k
   */
  neighbourhood: { type: 'enum', default: 'target', values: ['target', 'history'] },
  /** weight neighbours by the user's history values instead of 1 per history item */
  weightHistory: { type: 'boolean', default: false },
  /**
   * fitted users' history items weigh 0.5^(newer items / recencyHalfLife), from FitContext
   * timestamps (0 = off). When on, ad-hoc history values are read as weights.
   */
  recencyHalfLife: { type: 'number', default: 0, min: 0 },
  bm25K1: { type: 'number', default: 1.2, min: 0 },
  bm25B: { type: 'number', default: 0.75, min: 0, max: 1 },
} as const;

type Params = ParamValues<typeof SPEC>;

/**
 * Item-based k-nearest-neighbours: each item keeps its k most similar items; a user's score for
 * an item is the sum of similarities from the user's history items that list it as a neighbour.
 * Needs no user state, so fold-in is just replacing the history.
 */
export class ItemKnn extends WeightedHistoryRecommender {
  readonly name = 'item-knn';
  private readonly p: Params;
  /** items × items, row i = the top-k neighbours of item i */
  private neighbours: CsrMatrix = EMPTY;
  /** history item × scored item weights derived from the neighbour lists */
  private scoring: CsrMatrix = EMPTY;

  constructor(params: Record<string, unknown> = {}) {
    const p = readParams('item-knn', SPEC, params);
    super(p);
    this.p = p;
  }

  fit(matrix: CsrMatrix, ctx: FitContext = {}): void {
    this.resetTraining(matrix);
    this.neighbours = itemNeighbours(matrix, this.p, ctx.onProgress);
    this.scoring = scoringMatrix(this.neighbours, this.p);
    this.fitHistoryWeights(matrix, ctx, this.p.recencyHalfLife, this.p.weightHistory);
  }

  scoreAll(query: UserQuery, out?: Float32Array): Float32Array {
    return scoreHistory(this.scoring, this.history(query), !this.p.weightHistory && this.p.recencyHalfLife === 0, out ?? new Float32Array(this.numItems));
  }

  /**
   * recommend(query, n) by sparse accumulation: only the items on the history items' scoring
   * rows (~|history|·k entries) are touched, and the top-k runs over those. Every other item
   * scores exactly 0, so when at least n touched items score above 0 they hold the whole top n;
   * otherwise the accumulator (zero elsewhere) is the dense score array and the top-k runs over
   * all of it. Same float32 accumulation order as scoreAll, so scores are bit-identical.
   */
  recommendTop(query: UserQuery, n: number): ScoredItems {
    const history = this.history(query);
    const binary = !this.p.weightHistory && this.p.recencyHalfLife === 0;
    const { indptr, indices, data, rows } = this.scoring;
    const m = this.numItems;
    const s = this.sparseScratch(m);
    const { acc, mark, touched } = s;
    let work = 0;
    for (let h = 0; h < history.indices.length; h++) {
      const item = history.indices[h] as number;
      if (item >= 0 && item < rows) work += (indptr[item + 1] as number) - (indptr[item] as number);
    }
    // a long history on a small catalogue touches most items anyway: a plain dense pass is cheaper
    if (work >= m) {
      scoreHistory(this.scoring, history, binary, acc);
      for (let h = 0; h < history.indices.length; h++) {
        const item = history.indices[h] as number;
        if (item >= 0 && item < m) acc[item] = -Infinity;
      }
      const top = topKJs(acc, n);
      acc.fill(0);
      return top;
    }
    let count = 0;
    for (let h = 0; h < history.indices.length; h++) {
      const item = history.indices[h] as number;
      if (item < 0 || item >= rows) continue;
      const w = binary ? 1 : (history.values[h] as number);
      for (let p = indptr[item] as number; p < (indptr[item + 1] as number); p++) {
        const j = indices[p] as number;
        if (mark[j] === 0) {
          mark[j] = 1;
          touched[count++] = j;
        }
        acc[j] = (acc[j] as number) + w * (data[p] as number);
      }
    }
    // the user's own items are never recommended
    for (let h = 0; h < history.indices.length; h++) {
      const item = history.indices[h] as number;
      if (item < 0 || item >= m) continue;
      if (mark[item] === 0) {
        mark[item] = 1;
        touched[count++] = item;
      }
      acc[item] = -Infinity;
    }
    let positive = 0;
    for (let t = 0; t < count; t++) {
      const j = touched[t] as number;
      if ((acc[j] as number) > 0) s.candidates[positive++] = j;
    }
    const top = positive >= n ? topKJs(acc, n, undefined, s.candidates.subarray(0, positive)) : topKJs(acc, n);
    // leave the scratch all-zero for the next request
    for (let t = 0; t < count; t++) {
      const j = touched[t] as number;
      acc[j] = 0;
      mark[j] = 0;
    }
    return top;
  }

  private scratch: { acc: Float32Array; mark: Uint8Array; touched: Int32Array; candidates: Int32Array } | undefined;

  /** Catalogue-sized buffers reused across requests (kept all-zero between calls). */
  private sparseScratch(m: number): NonNullable<ItemKnn['scratch']> {
    if (!this.scratch || this.scratch.acc.length !== m) this.scratch = { acc: new Float32Array(m), mark: new Uint8Array(m), touched: new Int32Array(m), candidates: new Int32Array(m) };
    return this.scratch;
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    const scores = new Float32Array(this.numItems).fill(-Infinity);
    const { indptr, indices, data } = this.neighbours;
    if (item >= 0 && item < this.neighbours.rows) {
      for (let p = indptr[item] as number; p < (indptr[item + 1] as number); p++) scores[indices[p] as number] = data[p] as number;
    }
    return topKJs(scores, n, this.skipMask([...(opts.exclude ?? []), item]), opts.candidates);
  }

  /** The fitted neighbour lists (items × items, row i = the k items most similar to i), e.g. for explanations. */
  neighbourLists(): CsrMatrix {
    return this.neighbours;
  }

  serialize(): Uint8Array {
    return pack(
      { name: this.name, params: this.params, shape: [this.train.rows, this.train.cols] },
      serializeTrain(this.train, { ...matrixArrays('nb', this.neighbours), ...this.historyWeightArrays() }),
    );
  }

  static deserialize(bytes: Uint8Array): ItemKnn {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number] }>(bytes);
    const m = new ItemKnn(meta.params);
    m.train = deserializeTrain(meta.shape, arrays);
    m.neighbours = matrixFromArrays('nb', [meta.shape[1], meta.shape[1]], arrays);
    m.scoring = scoringMatrix(m.neighbours, m.p);
    m.restoreHistoryWeights(arrays);
    return m;
  }
}

function scoringMatrix(neighbours: CsrMatrix, p: Params): CsrMatrix {
  return p.neighbourhood === 'target' ? transpose(neighbours) : neighbours;
}

/** Top-k item neighbour lists under the configured similarity. */
export type SimilarityParams = Pick<Params, 'similarity' | 'k' | 'shrinkage' | 'binary' | 'bm25K1' | 'bm25B'>;

export function itemNeighbours(matrix: CsrMatrix, p: SimilarityParams, onProgress?: (f: number) => void): CsrMatrix {
  const x = p.binary ? binarize(matrix) : matrix;
  let score: PairScore;
  let left: CsrMatrix;
  let right: CsrMatrix;
  if (p.similarity === 'jaccard') {
    left = transpose(binarize(x));
    right = binarize(x);
    const counts = new Float64Array(left.rows);
    for (let i = 0; i < left.rows; i++) counts[i] = (left.indptr[i + 1] as number) - (left.indptr[i] as number);
    score = (i, j, dot) => dot / ((counts[i] as number) + (counts[j] as number) - dot + p.shrinkage);
  } else {
    left = transpose(x);
    if (p.similarity === 'bm25') left = bm25Weight(left, p.bm25K1, p.bm25B);
    right = transpose(left);
    const norms = rowNorms(left);
    score = (i, j, dot) => dot / ((norms[i] as number) * (norms[j] as number) + p.shrinkage);
  }
  return topNeighbours(left, right, p.k, score, onProgress);
}

export const itemKnnFactory: ModelFactory = {
  name: 'item-knn',
  description: 'item-based k-nearest neighbours (cosine, Jaccard or BM25-weighted cosine, with shrinkage)',
  defaults: defaultsOf(SPEC),
  grid: { similarity: ['cosine', 'bm25', 'jaccard'], k: [20, 50, 100, 200], shrinkage: [0, 10, 50], neighbourhood: ['target', 'history'], recencyHalfLife: [0, 3, 5, 8] },
  create: (params = {}) => new ItemKnn(params),
  deserialize: (bytes) => ItemKnn.deserialize(bytes),
};
