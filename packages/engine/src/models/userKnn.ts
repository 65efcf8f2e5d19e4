import { binarize, transpose, type CsrMatrix, type SparseVector } from '../data/csr.ts';
import { pack, unpack } from '../data/pack.ts';
import { topKJs } from '../kernels/topk.ts';
import { BaseRecommender } from './base.ts';
import type { FitContext, ModelFactory, RecommendOptions, ScoredItems, UserQuery } from './model.ts';
import { itemNeighbours } from './itemKnn.ts';
import { matrixArrays, matrixFromArrays } from './neighbours/packNeighbours.ts';
import { rowNorms } from './neighbours/weighting.ts';
import { defaultsOf, readParams, type ParamValues } from './params.ts';
import { deserializeTrain, serializeTrain } from './popularity.ts';

const SPEC = {
  /** neighbour users whose histories are summed */
  k: { type: 'int', default: 50, min: 1 },
  /** added to the cosine denominator: pulls down neighbours with little overlap */
  shrinkage: { type: 'number', default: 0, min: 0 },
  /** treat every interaction as 1 */
  binary: { type: 'boolean', default: true },
  /** raise neighbour similarities to this power before summing (sharper neighbourhoods) */
  exponent: { type: 'number', default: 1, min: 0 },
} as const;

type Params = ParamValues<typeof SPEC>;

/**
 * User-based k-nearest-neighbours: find the k fitted users most cosine-similar to the query
 * history and sum their (similarity-weighted) histories. Neighbours come from the fitted matrix;
 * a fitted user is never its own neighbour, and fold-in only changes the query history.
 */
export class UserKnn extends BaseRecommender {
  readonly name = 'user-knn';
  private readonly p: Params;
  /** the matrix neighbours are drawn from (binarized when `binary`) */
  private x: CsrMatrix = this.train;
  /** items × users view of `x` */
  private xt: CsrMatrix = this.train;
  private norms: Float64Array = new Float64Array(0);
  /** items × items cosine neighbours, for similarItems only */
  private itemSims: CsrMatrix = this.train;

  constructor(params: Record<string, unknown> = {}) {
    const p = readParams('user-knn', SPEC, params);
    super(p);
    this.p = p;
  }

  fit(matrix: CsrMatrix, ctx: FitContext = {}): void {
    this.resetTraining(matrix);
    this.prepare();
    this.itemSims = itemNeighbours(matrix, { similarity: 'cosine', k: 100, shrinkage: this.p.shrinkage, binary: this.p.binary, bm25K1: 1.2, bm25B: 0.75 }, ctx.onProgress);
  }

  private prepare(): void {
    this.x = this.p.binary ? binarize(this.train) : this.train;
    this.xt = transpose(this.x);
    this.norms = rowNorms(this.x);
  }

  scoreAll(query: UserQuery, out?: Float32Array): Float32Array {
    const scores = out ?? new Float32Array(this.numItems);
    scores.fill(0);
    const self = 'user' in query && query.user < this.x.rows ? query.user : -1;
    const { users, sims } = this.neighbours(this.history(query), self);
    for (let n = 0; n < users.length; n++) {
      const v = users[n] as number;
      const s = sims[n] as number;
      for (let q = this.x.indptr[v] as number; q < (this.x.indptr[v + 1] as number); q++) {
        const j = this.x.indices[q] as number;
        scores[j] = (scores[j] as number) + s * (this.x.data[q] as number);
      }
    }
    return scores;
  }

  /** The k fitted users most similar to `history`, excluding user `self`. */
  neighbours(history: SparseVector, self = -1): { users: Int32Array; sims: Float32Array } {
    const acc = new Float32Array(this.x.rows);
    let hNorm = 0;
    for (let h = 0; h < history.indices.length; h++) {
      const item = history.indices[h] as number;
      if (item < 0 || item >= this.xt.rows) continue;
      const w = this.p.binary ? 1 : (history.values[h] as number);
      hNorm += w * w;
      for (let q = this.xt.indptr[item] as number; q < (this.xt.indptr[item + 1] as number); q++) {
        const v = this.xt.indices[q] as number;
        acc[v] = (acc[v] as number) + w * (this.xt.data[q] as number);
      }
    }
    hNorm = Math.sqrt(hNorm);
    const touched: number[] = [];
    for (let v = 0; v < acc.length; v++) {
      if (acc[v] === 0 || v === self) continue;
      const s = (acc[v] as number) / (hNorm * (this.norms[v] as number) + this.p.shrinkage);
      acc[v] = this.p.exponent === 1 ? s : Math.pow(s, this.p.exponent);
      touched.push(v);
    }
    const best = topKJs(acc, this.p.k, undefined, touched);
    return { users: best.items, sims: best.scores };
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    const scores = new Float32Array(this.numItems).fill(-Infinity);
    const { indptr, indices, data } = this.itemSims;
    if (item >= 0 && item < this.itemSims.rows) {
      for (let p = indptr[item] as number; p < (indptr[item + 1] as number); p++) scores[indices[p] as number] = data[p] as number;
    }
    return topKJs(scores, n, this.skipMask([...(opts.exclude ?? []), item]), opts.candidates);
  }

  serialize(): Uint8Array {
    return pack(
      { name: this.name, params: this.params, shape: [this.train.rows, this.train.cols] },
      serializeTrain(this.train, matrixArrays('sim', this.itemSims)),
    );
  }

  static deserialize(bytes: Uint8Array): UserKnn {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number] }>(bytes);
    const m = new UserKnn(meta.params);
    m.train = deserializeTrain(meta.shape, arrays);
    m.itemSims = matrixFromArrays('sim', [meta.shape[1], meta.shape[1]], arrays);
    m.prepare();
    return m;
  }
}

export const userKnnFactory: ModelFactory = {
  name: 'user-knn',
  description: 'user-based k-nearest neighbours (cosine with shrinkage)',
  defaults: defaultsOf(SPEC),
  grid: { k: [20, 50, 100, 200], shrinkage: [0, 10, 50], exponent: [1, 2] },
  create: (params = {}) => new UserKnn(params),
  deserialize: (bytes) => UserKnn.deserialize(bytes),
};
