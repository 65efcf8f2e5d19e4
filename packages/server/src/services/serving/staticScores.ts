import { BaseRecommender, topKJs, type CsrMatrix, type RecommendOptions, type ScoredItems, type UserQuery } from '@attune/engine';

/**
 * A non-personalized "model" over fixed per-item scores (popularity): lets cold-start and
 * /v1/popular go through the same pipeline (filters, rules, reasons) as personalized requests.
 */
export class StaticScores extends BaseRecommender {
  readonly name: string;

  constructor(
    name: string,
    private readonly scores: Float32Array,
  ) {
    super({});
    this.name = name;
    this.train = { rows: 0, cols: scores.length, indptr: new Int32Array(1), indices: new Int32Array(0), data: new Float32Array(0) };
  }

  fit(_matrix: CsrMatrix): void {
    throw new Error('StaticScores is built from precomputed scores, not fitted');
  }

  scoreAll(_query: UserQuery, out?: Float32Array): Float32Array {
    const s = out ?? new Float32Array(this.scores.length);
    s.set(this.scores);
    return s;
  }

  similarItems(item: number, n: number, opts: Omit<RecommendOptions, 'excludeHistory'> = {}): ScoredItems {
    return this.recommend({ history: { indices: Int32Array.of(item), values: Float32Array.of(1) } }, n, opts);
  }

  serialize(): Uint8Array {
    throw new Error('StaticScores is never stored');
  }
}
