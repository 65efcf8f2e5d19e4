import { columnCounts, type CsrMatrix } from '../data/csr.ts';
import { pack, unpack } from '../data/pack.ts';
import { BaseRecommender } from './base.ts';
import type { FitContext, ModelFactory, RecommendOptions, ScoredItems, UserQuery } from './model.ts';
import { topKJs } from '../kernels/topk.ts';
import { readParams } from './params.ts';

/** Most popular: the number of distinct users per item (ties: smaller index). Not personalized. */
export class MostPopular extends BaseRecommender {
  readonly name = 'popular';
  private counts: Float32Array = new Float32Array(0);

  constructor(params: Record<string, unknown> = {}) {
    super(readParams('popular', {}, params));
  }

  fit(matrix: CsrMatrix, _ctx?: FitContext): void {
    this.resetTraining(matrix);
    this.counts = columnCounts(matrix);
  }

  scoreAll(_query: UserQuery, out?: Float32Array): Float32Array {
    const scores = out ?? new Float32Array(this.numItems);
    scores.set(this.counts);
    return scores;
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    const skip = this.skipMask([...(opts.exclude ?? []), item]);
    return topKJs(this.counts, n, skip, opts.candidates);
  }

  serialize(): Uint8Array {
    return pack({ name: this.name, params: this.params, shape: [this.train.rows, this.train.cols] }, serializeTrain(this.train, { counts: this.counts }));
  }

  static deserialize(bytes: Uint8Array): MostPopular {
    const { meta, arrays } = unpack<{ params: Record<string, unknown>; shape: [number, number] }>(bytes);
    const m = new MostPopular(meta.params);
    m.train = deserializeTrain(meta.shape, arrays);
    m.counts = arrays.counts as Float32Array;
    return m;
  }
}

/** The fitted matrix as named arrays, merged with a model's own arrays for `pack`. */
export function serializeTrain<T extends Record<string, import('../data/pack.ts').PackedArray>>(m: CsrMatrix, extra: T) {
  return { indptr: m.indptr, indices: m.indices, data: m.data, ...extra };
}

export function deserializeTrain(shape: [number, number], arrays: Record<string, import('../data/pack.ts').PackedArray>): CsrMatrix {
  return {
    rows: shape[0],
    cols: shape[1],
    indptr: arrays.indptr as Int32Array,
    indices: arrays.indices as Int32Array,
    data: arrays.data as Float32Array,
  };
}

export const popularFactory: ModelFactory = {
  name: 'popular',
  description: 'most popular items: number of distinct users per item',
  defaults: {},
  create: (params = {}) => new MostPopular(params),
  deserialize: (bytes) => MostPopular.deserialize(bytes),
};
